"""Supplier price lists: bytes in, validated rows out, in one pass.

``read_pricelist(content, fmt)`` is the whole way: the format is one of
``PRICE_LIST_FORMATS``, the size within ``IMPORT_MAX_BYTES``, the content
can be that format (``formats``); it is parsed into the neutral structure
of the supplier YAML (``readers``) and every row is validated, with its row
or sheet-row number (``rows``). Any problem raises ``PriceListError``
listing all of them. Nothing here touches the database: writing the rows is
``services.pricelist_import``.
"""

from __future__ import annotations

from ..exceptions import PriceListError, file_error
from ..exceptions import format_problem as format_error
from .formats import FORMATS, HEAD_BYTES, admit, check_format, check_size, detect_format, sniff
from .readers import MAX_DEPTH, parse_pricelist
from .rows import PriceList, Row, validate_pricelist

__all__ = [
    "FORMATS",
    "HEAD_BYTES",
    "MAX_DEPTH",
    "PriceList",
    "PriceListError",
    "Row",
    "admit",
    "check_format",
    "check_size",
    "detect_format",
    "file_error",
    "format_error",
    "parse_pricelist",
    "read_pricelist",
    "sniff",
    "validate_pricelist",
]


def read_pricelist(content: bytes, fmt: str) -> PriceList:
    """``content`` of format ``fmt`` as a validated ``PriceList``; ``PriceListError`` if not."""
    check_format(fmt)
    check_size(len(content))
    return validate_pricelist(parse_pricelist(content, fmt))
