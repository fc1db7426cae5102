"""Page-number pagination of the cabinet's lists, sized by ``SHOP_CABINET["PAGE_SIZE"]``
and ``["MAX_PAGE_SIZE"]`` (read live). A page that does not exist (``0``, ``-1``,
``abc``, past the last one) is a 400 ``invalid_page`` on ``page``
(``shop_core.pagination.ShopPagination``)."""

from __future__ import annotations

from shop_core.pagination import ShopPagination

from .conf import app_settings


class CabinetPagination(ShopPagination):
    app_settings = app_settings
