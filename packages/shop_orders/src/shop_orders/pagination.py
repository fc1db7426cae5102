"""Page-number pagination of the order lists (public API: ``shop_cabinet`` reuses it)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from .conf import app_settings


class OrdersPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (capped), sized by ``SHOP_ORDERS["PAGE_SIZE"]``
    and ``["MAX_PAGE_SIZE"]`` read live.

    A page that does not exist (``0``, ``-1``, ``abc``, past the last one) is
    bad input: 400 ``{"page": ["Invalid page."]}`` rather than DRF's 404, so a
    client can tell it from a missing object. A subclass changes the sizes by
    overriding ``get_limits()``.
    """

    page_size_query_param = "page_size"

    def get_limits(self) -> tuple[int, int]:
        """``(page_size, max_page_size)``."""
        return app_settings.PAGE_SIZE, app_settings.MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int | None:
        self.page_size, self.max_page_size = self.get_limits()
        return super().get_page_size(request)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise ValidationError({self.page_query_param: [exc.detail]}) from exc
