"""The cabinet beside shop_orders' own API, for the checkout-with-address_id test."""

from django.urls import include, path

urlpatterns = [
    path("api/v1/orders/", include("shop_orders.urls")),
    path("api/v1/cabinet/", include("shop_cabinet.urls")),
]
