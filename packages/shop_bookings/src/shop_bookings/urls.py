app_name = "shop_bookings"
urlpatterns = []
