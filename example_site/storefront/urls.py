from django.urls import path

from . import urls_bookings, urls_supplier
from .views import cabinet, cart, shop

app_name = "storefront"

urlpatterns = [
    path("", shop.home, name="home"),
    path("catalogue/", shop.catalogue, name="catalogue"),
    path("products/<int:pk>/", shop.product, name="product"),
    path("products/<int:pk>/favourite/", shop.toggle_favourite, name="favourite"),
    path("cart/", cart.cart, name="cart"),
    path("cart/add/", shop.add_to_cart, name="add_to_cart"),
    path("cart/lines/<int:line_id>/", cart.change_quantity, name="cart_line"),
    path("cart/lines/<int:line_id>/remove/", cart.remove, name="cart_remove"),
    path("checkout/", cart.checkout_page, name="checkout"),
    path("orders/<int:pk>/placed/", cart.order_placed, name="order_placed"),
    path("cabinet/", cabinet.dashboard, name="cabinet"),
    path("cabinet/orders/", cabinet.orders, name="orders"),
    path("cabinet/orders/<int:pk>/", cabinet.order, name="order"),
    path("cabinet/addresses/", cabinet.addresses, name="addresses"),
    path("cabinet/addresses/<int:pk>/default/", cabinet.address_default, name="address_default"),
    path("cabinet/addresses/<int:pk>/delete/", cabinet.address_delete, name="address_delete"),
    path("cabinet/favourites/", cabinet.favourites, name="favourites"),
]
urlpatterns += urls_bookings.urlpatterns + urls_supplier.urlpatterns
