"""Page-number pagination sized by ``SHOP_CABINET["PAGE_SIZE"]`` (read live)."""

from __future__ import annotations

from typing import Any

from rest_framework.pagination import PageNumberPagination

from .conf import app_settings


class CabinetPagination(PageNumberPagination):
    page_size_query_param = "page_size"

    def get_page_size(self, request: Any) -> int:
        self.page_size = app_settings.PAGE_SIZE
        self.max_page_size = app_settings.MAX_PAGE_SIZE
        return super().get_page_size(request)
