"""The tests with shop_orders installed and the booking ORDER_HOOK on it
(``pytest --ds=tests.settings_orders -m orders``; needs shop_catalog and shop_orders)."""

from .settings import *  # noqa: F403

INSTALLED_APPS = [  # noqa: F405
    *INSTALLED_APPS[:-1],  # noqa: F405
    "shop_catalog",
    "shop_orders",
    INSTALLED_APPS[-1],  # noqa: F405  (django_cleanup last)
]
SHOP_BOOKINGS = {"ORDER_HOOK": "shop_bookings.orders.ShopOrdersHook"}
