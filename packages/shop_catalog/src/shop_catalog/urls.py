from django.urls import path
app_name = "shop_catalog"
urlpatterns = []
