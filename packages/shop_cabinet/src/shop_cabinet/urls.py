"""The cabinet's API; the site mounts it with ``path("api/v1/cabinet/", include("shop_cabinet.urls"))``."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "shop_cabinet"

router = DefaultRouter()
router.register("addresses", views.AddressViewSet, basename="address")
router.register("favourites", views.FavouriteViewSet, basename="favourite")

urlpatterns = [
    path("", include(router.urls)),
]
