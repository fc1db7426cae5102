"""Price-list parsers: bytes in one of the supported formats -> one plain dict.

Every parser returns the structure of the supplier YAML::

    {"shop": "Name" or None,
     "categories": [{"id": 224, "name": "Смартфоны"}, ...] or None,
     "goods": [{"id": ..., "category": ..., "model": ..., "name": ...,
                "price": ..., "price_rrc": ..., "quantity": ...,
                "parameters": {"Цвет": "черный", ...}, "_row": 1}, ...]}

YAML and JSON carry a ``categories`` list and goods refer to its ids; the
flat CSV/XLSX sheets have one row per offer, the category *name* in the
``category`` column and every column that is not a known one is a
parameter. ``_row`` is the number shown in error messages: the position
in the ``goods`` list (1-based) for YAML/JSON, the line of the sheet
(header = line 1) for CSV/XLSX.

Parsers only read; the import service validates every value.
"""

from __future__ import annotations

import csv
import io
import json
import os
from typing import Any

import yaml
from django.utils.translation import gettext as _

FORMATS = ("yaml", "json", "csv", "xlsx")
FLAT_COLUMNS = ("id", "category", "model", "name", "price", "price_rrc", "quantity", "shop")
_EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".csv": "csv", ".xlsx": "xlsx"}
_CONTENT_TYPES = {
    "application/yaml": "yaml",
    "application/x-yaml": "yaml",
    "text/yaml": "yaml",
    "text/x-yaml": "yaml",
    "application/json": "json",
    "text/csv": "csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}


class PriceListError(Exception):
    """A price list that cannot be imported; ``errors`` lists what is wrong.

    Each error is a dict ``{"section": "goods" | "categories" | "file",
    "row": int | None, "field": str, "message": str}``.
    """

    def __init__(self, errors: list[dict[str, Any]]):
        self.errors = errors
        super().__init__("; ".join(format_error(e) for e in errors[:10]))


def format_error(error: dict[str, Any]) -> str:
    """One error as a line of text, e.g. ``goods row 7, price: Enter a number.``"""
    where = error.get("section") or "file"
    if error.get("row") is not None:
        where = _("%(section)s row %(row)s") % {"section": where, "row": error["row"]}
    if error.get("field"):
        where = f"{where}, {error['field']}"
    return f"{where}: {error['message']}"


def file_error(message: str) -> PriceListError:
    return PriceListError([{"section": "file", "row": None, "field": "", "message": message}])


def detect_format(filename: str = "", content_type: str = "") -> str | None:
    """The format named by a file's extension, else by its content type."""
    ext = os.path.splitext(filename or "")[1].lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    return _CONTENT_TYPES.get((content_type or "").split(";")[0].strip().lower())


def parse_pricelist(content: bytes, fmt: str) -> dict[str, Any]:
    """Parse ``content`` of format ``fmt`` into the common dict (see module doc)."""
    parser = {"yaml": parse_yaml, "json": parse_json, "csv": parse_csv, "xlsx": parse_xlsx}.get(fmt)
    if parser is None:
        raise file_error(_("Unknown price-list format %(format)s.") % {"format": fmt})
    data = parser(content)
    if not isinstance(data, dict):
        raise file_error(_("The price list must be a mapping with a 'goods' list."))
    goods = data.get("goods")
    if not isinstance(goods, list):
        raise file_error(_("The price list has no 'goods' list."))
    if fmt in ("yaml", "json"):
        for number, item in enumerate(goods, start=1):
            if isinstance(item, dict):
                item["_row"] = number
    return data


class _CountingLoader(yaml.SafeLoader):
    """SafeLoader (no Python objects); the alias bomb check runs after loading."""


def _expanded_size(data: Any, limit: int) -> int:
    """Nodes the document would have with every alias expanded (memoized, linear)."""
    memo: dict[int, int] = {}

    def size(node: Any) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        if isinstance(node, dict):
            total = 1 + sum(size(k) + size(v) for k, v in node.items())
        elif isinstance(node, list):
            total = 1 + sum(size(v) for v in node)
        else:
            return 1
        memo[key] = min(total, limit + 1)
        return memo[key]

    return size(data)


def parse_yaml(content: bytes) -> Any:
    """``yaml.safe_load`` semantics, refusing documents whose aliases blow up."""
    from .conf import app_settings

    loader = getattr(yaml, "CSafeLoader", None) or _CountingLoader
    try:
        data = yaml.load(content, Loader=loader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise file_error(_("Not valid YAML: %(error)s") % {"error": exc}) from None
    limit = app_settings.YAML_MAX_NODES
    try:
        too_big = _expanded_size(data, limit) > limit
    except RecursionError:  # a recursive alias or absurd nesting
        too_big = True
    if too_big:
        raise file_error(_("The YAML document expands to too many nodes (aliases)."))
    return data


def parse_json(content: bytes) -> Any:
    try:
        return json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise file_error(_("Not valid JSON: %(error)s") % {"error": exc}) from None


def _flat_rows(header: list[Any], rows: Any) -> dict[str, Any]:
    names = [str(h).strip() if h is not None else "" for h in header]
    lowered = [n.lower() for n in names]
    for required in ("id", "name", "price"):
        if required not in lowered:
            raise file_error(_("The sheet has no %(column)s column.") % {"column": repr(required)})
    goods, shops = [], set()
    for line, values in rows:
        values = list(values)
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        item: dict[str, Any] = {"_row": line, "parameters": {}}
        for name, low, value in zip(names, lowered, values, strict=False):
            if not name:
                continue
            if isinstance(value, str):
                value = value.strip()
            if low in FLAT_COLUMNS:
                item[low] = value
            elif value is not None and value != "":
                item["parameters"][name] = value
        if item.get("shop"):
            shops.add(str(item["shop"]))
        item.pop("shop", None)
        goods.append(item)
    if len(shops) > 1:
        raise file_error(_("A price list is for one shop; the sheet names several."))
    return {"shop": shops.pop() if shops else None, "categories": None, "goods": goods}


def parse_csv(content: bytes) -> dict[str, Any]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise file_error(_("The CSV file is not UTF-8 text.")) from None
    # the delimiter is the most frequent of , ; TAB in the header line (Excel
    # writes ";" in many locales); quoting follows the standard excel dialect
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise file_error(_("The CSV file is empty.")) from None
    try:
        return _flat_rows(header, ((reader.line_num, row) for row in reader))
    except csv.Error as exc:
        raise file_error(_("Not valid CSV: %(error)s") % {"error": exc}) from None


def parse_xlsx(content: bytes) -> dict[str, Any]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a bad file
        raise file_error(_("Not a valid XLSX workbook.")) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise file_error(_("The sheet is empty."))
        return _flat_rows(list(header), ((n, row) for n, row in enumerate(rows, start=2)))
    finally:
        workbook.close()
