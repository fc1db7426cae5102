"""The site's default filter backends."""

from __future__ import annotations

from rest_framework import filters
from rest_framework.request import Request


class SearchFilter(filters.SearchFilter):
    """DRF's ``SearchFilter``, but a NUL character in ``?search=`` is dropped.

    DRF (3.15+) answers it with a 400 whose error names no field, on every
    list, even one without ``search_fields``; no operation documents that
    answer. A NUL never means anything in a search (DRF up to 3.14 dropped it
    too).
    """

    def get_search_terms(self, request: Request) -> list[str]:
        value = request.query_params.get(self.search_param, "").replace("\x00", "")
        return filters.search_smart_split(value)
