"""Mixins for the packages' API views."""

from __future__ import annotations

from typing import Any

from rest_framework.parsers import BaseParser

from .parsers import TooDeep, guard_parsers


class SafeParsingMixin:
    """Depth-checks JSON bodies whatever parsers the host project configures.

    Put it first in the bases of every API view of a package (or of the
    package's base view), so a 2 KB ``[[[[...`` is a 400 with code
    ``too_deep`` on every endpoint, never a ``RecursionError`` 500.
    """

    def get_parsers(self) -> list[BaseParser]:
        return guard_parsers(super().get_parsers())  # type: ignore[misc]

    def handle_exception(self, exc: Exception) -> Any:
        if isinstance(exc, RecursionError):  # a parser we do not know recursed too deep
            exc = TooDeep()
        return super().handle_exception(exc)  # type: ignore[misc]
