"""Mounted by the site under ``/api/v1/orders/``: ``include("shop_orders.urls")``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

app_name = "shop_orders"

router = SimpleRouter()
router.register("supplier/orders", views.SupplierOrderViewSet, basename="supplier-order")
router.register("orders", views.OrderViewSet, basename="order")

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="cart"),
    path("cart/lines/", views.CartLinesView.as_view(), name="cart-lines"),
    path("cart/lines/<int:pk>/", views.CartLineView.as_view(), name="cart-line"),
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    *router.urls,
]
