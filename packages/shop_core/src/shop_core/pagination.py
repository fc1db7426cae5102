"""Page-number pagination sized from a package's settings; a missing page is a 400."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from .conf import AppSettings


class ShopPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (capped), sized by ``PAGE_SIZE`` / ``MAX_PAGE_SIZE``
    of ``app_settings`` (a package's ``AppSettings``), read live.

    A page that does not exist (``0``, ``-1``, ``abc``, past the last one) is
    bad input: a 400 with code ``invalid_page`` on ``page``, not DRF's 404, so
    a client can tell it from a missing object. A package subclasses it::

        class CatalogPagination(ShopPagination):
            app_settings = app_settings
    """

    page_size_query_param = "page_size"
    app_settings: AppSettings | None = None

    def get_limits(self) -> tuple[int, int]:
        """``(page_size, max_page_size)``."""
        if self.app_settings is None:
            return self.page_size or 20, self.max_page_size or 100
        return self.app_settings.PAGE_SIZE, self.app_settings.MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int | None:
        self.page_size, self.max_page_size = self.get_limits()
        return super().get_page_size(request)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            message = ErrorDetail(str(_("Invalid page.")), code="invalid_page")
            raise ValidationError({self.page_query_param: [message]}) from exc
