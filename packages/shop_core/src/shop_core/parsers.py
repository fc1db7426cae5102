"""Request parsing that refuses over-deep JSON with a 400 instead of a 500.

Python's ``json`` module recurses once per nesting level, so 2 KB of ``[``
raise ``RecursionError``, which DRF's ``JSONParser`` does not catch. The
depth is measured on the raw bytes first (one linear pass, no recursion),
so no parser ever sees a document deeper than ``MAX_JSON_DEPTH``.

- ``SafeJSONParser``: a drop-in for ``rest_framework.parsers.JSONParser``
  (a site puts it in ``DEFAULT_PARSER_CLASSES``).
- ``guard_parsers(parsers)``: wraps whatever parsers a host project
  configures (``SafeParsingMixin`` in ``shop_core.views`` uses it), so the
  packages' endpoints are safe whatever ``DEFAULT_PARSER_CLASSES`` says.
"""

from __future__ import annotations

import io
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, JSONParser

MAX_JSON_DEPTH = 32

_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")


def json_depth(raw: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """Deepest nesting of ``raw`` JSON, counting stops as soon as it passes ``limit``.

    Brackets inside strings do not count. Malformed documents are left to
    the real parser: this only has to be right for the nesting it reports.
    """
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif byte in _CLOSE:
            depth -= 1
    return deepest


class TooDeep(ParseError):
    """400 ``too_deep``: the body nests deeper than the limit."""

    default_detail = _("The JSON document is nested too deeply.")
    default_code = "too_deep"

    def __init__(self, limit: int = MAX_JSON_DEPTH) -> None:
        message = _("The JSON document is nested deeper than %(limit)d levels.") % {"limit": limit}
        super().__init__(message, self.default_code)


def _read_checked(stream: IO[bytes] | None, limit: int) -> bytes:
    raw = stream.read() if stream is not None else b""
    if json_depth(raw, limit) > limit:
        raise TooDeep(limit)
    return raw


class SafeJSONParser(JSONParser):
    """``JSONParser`` that answers 400 (``too_deep``) for documents deeper than ``max_depth``."""

    max_depth = MAX_JSON_DEPTH

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        raw = _read_checked(stream, self.max_depth)
        return super().parse(io.BytesIO(raw), media_type, parser_context)


class DepthGuard(BaseParser):
    """Wraps another parser: JSON-like bodies are depth-checked before it sees them.

    Any ``RecursionError`` the wrapped parser still raises becomes the same 400.
    """

    def __init__(self, parser: BaseParser, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.parser = parser
        self.media_type = parser.media_type
        self.max_depth = max_depth
        renderer = getattr(parser, "renderer_class", None)
        if renderer is not None:
            self.renderer_class = renderer

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        if "json" in (self.media_type or "").lower():
            stream = io.BytesIO(_read_checked(stream, self.max_depth))
        try:
            return self.parser.parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise TooDeep(self.max_depth) from exc


def guard_parsers(parsers: list[BaseParser]) -> list[BaseParser]:
    """``parsers`` with each one wrapped in a ``DepthGuard`` (already safe ones kept)."""
    return [p if isinstance(p, (DepthGuard, SafeJSONParser)) else DepthGuard(p) for p in parsers]
