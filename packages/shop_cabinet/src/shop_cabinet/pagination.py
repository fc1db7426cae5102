"""Page-number pagination sized by ``SHOP_CABINET["PAGE_SIZE"]`` (read live).

shop_orders' ``OrdersPagination`` (its public API) with the cabinet's sizes:
the same ``page``/``page_size`` parameters, and a page that does not exist is
a 400 with a field error on ``page``.
"""

from __future__ import annotations

from shop_orders.pagination import OrdersPagination

from .conf import app_settings


class CabinetPagination(OrdersPagination):
    def get_limits(self) -> tuple[int, int]:
        return app_settings.PAGE_SIZE, app_settings.MAX_PAGE_SIZE
