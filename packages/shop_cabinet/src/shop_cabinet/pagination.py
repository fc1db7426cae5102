"""Page-number pagination sized by ``SHOP_CABINET["PAGE_SIZE"]`` (read live).

shop_orders' ``OrdersPagination`` (its public API) with the cabinet's sizes:
the same ``page``/``page_size`` parameters, and a page that does not exist
(``0``, ``-1``, ``abc``, past the last one) is a 400
``{"page": ["Invalid page."], "code": "invalid_page"}``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from shop_orders.pagination import OrdersPagination

from .conf import app_settings


class CabinetPagination(OrdersPagination):
    def get_limits(self) -> tuple[int, int]:
        return app_settings.PAGE_SIZE, app_settings.MAX_PAGE_SIZE

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except ValidationError as exc:  # a code of its own, not the "not_found" of a 404
            raise ValidationError(
                {self.page_query_param: [_("Invalid page.")]}, code="invalid_page"
            ) from exc
