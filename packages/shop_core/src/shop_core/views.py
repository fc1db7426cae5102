"""The base mixin of every package's API views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.parsers import BaseParser
from rest_framework.response import Response

from .errors import add_extra, exception_handler, to_api_exception
from .parsers import TooDeep, guard_parsers


class SafeParsingMixin:
    """Depth-checks JSON bodies whatever parsers the host project configures.

    A 2 KB ``[[[[...`` is a 400 with code ``too_deep`` on every endpoint,
    never a ``RecursionError`` 500.
    """

    def get_parsers(self) -> list[BaseParser]:
        return guard_parsers(super().get_parsers())  # type: ignore[misc]

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, RecursionError):  # a parser we do not know recursed too deep
            exc = TooDeep()
        return super().handle_exception(exc)  # type: ignore[misc]


class ShopAPIMixin(SafeParsingMixin):
    """Put first in the bases of every API view of a shop package.

    Safe parsing, plus the error convention of ``shop_core.errors`` for this
    view alone: the host project's ``EXCEPTION_HANDLER`` is left alone.
    With drf-standardized-errors' ``AutoSchema`` (see the README) the
    schema documents the error answers of every operation.
    """

    def get_exception_handler(self) -> Callable[..., Response | None]:
        # Exactly this function: drf-standardized-errors' AutoSchema documents the
        # error answers of a view only when its handler is this one.
        return exception_handler

    def handle_exception(self, exc: Exception) -> Any:
        return add_extra(super().handle_exception(to_api_exception(exc)), exc)
