"""Page-number pagination of the order lists (public API: ``shop_cabinet`` reuses it)."""

from __future__ import annotations

from shop_core.pagination import ShopPagination

from .conf import app_settings


class OrdersPagination(ShopPagination):
    """``?page=`` and ``?page_size=`` (capped), sized by ``SHOP_ORDERS["PAGE_SIZE"]`` and
    ``["MAX_PAGE_SIZE"]`` read live; a page that does not exist is a 400 ``invalid_page``
    (``shop_core.pagination.ShopPagination``). A subclass may size it from other settings
    by setting ``app_settings`` or overriding ``get_limits()``."""

    app_settings = app_settings
