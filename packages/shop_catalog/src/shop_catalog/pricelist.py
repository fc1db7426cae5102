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
in the ``goods`` list (1-based) for YAML/JSON, the sheet row for CSV/XLSX
(the header is row 1, the first data row is row 2; an empty line of a CSV
file is no row). The admin's import-export numbers its rows the same way.

Parsers only read; the import service validates every value.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import zipfile
from typing import Any

import yaml
from django.utils.translation import gettext as _

FORMATS = ("yaml", "json", "csv", "xlsx")
# Deepest nesting accepted in YAML/JSON (the format itself needs 4 levels).
MAX_DEPTH = 50
# An XLSX is a zip: refuse one that unpacks to more than this many times its size.
XLSX_MAX_RATIO = 100
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
    "row": int | None, "field": str, "message": str, "code": str}``; the
    codes are listed in the README ("Errors").
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


def file_error(message: Any, code: str = "invalid_file", field: str = "") -> PriceListError:
    """A ``PriceListError`` about the whole file (no row)."""
    return PriceListError(
        [{"section": "file", "row": None, "field": field, "message": str(message), "code": code}]
    )


def detect_format(filename: str = "", content_type: str = "") -> str | None:
    """The format named by a file's extension, else by its content type."""
    ext = os.path.splitext(filename or "")[1].lower()
    if ext in _EXTENSIONS:
        return _EXTENSIONS[ext]
    return _CONTENT_TYPES.get((content_type or "").split(";")[0].strip().lower())


def check_content(head: bytes, fmt: str) -> None:
    """Refuse content that cannot be ``fmt`` whatever the file is called.

    ``head`` is the start of the file (or all of it): YAML, JSON and CSV must
    be UTF-8 text (YAML may also be UTF-16 with a byte-order mark), an XLSX
    workbook is a zip archive. Raises ``PriceListError``.
    """
    if fmt == "xlsx":
        if not head.startswith(b"PK\x03\x04"):
            raise file_error(_("The file is not an XLSX workbook."), "wrong_type")
        return
    if fmt == "yaml" and head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        binary = True
    else:
        binary = b"\0" in head
    if binary:
        raise file_error(
            _("The file is not UTF-8 %(format)s text; is it binary data such as an image?")
            % {"format": fmt.upper()},
            "wrong_type",
        )


def parse_pricelist(content: bytes, fmt: str) -> dict[str, Any]:
    """Parse ``content`` of format ``fmt`` into the common dict (see module doc)."""
    parser = {"yaml": parse_yaml, "json": parse_json, "csv": parse_csv, "xlsx": parse_xlsx}.get(fmt)
    if parser is None:
        raise file_error(
            _("Unknown price-list format %(format)s.") % {"format": fmt}, "unknown_format"
        )
    check_content(content, fmt)
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


def _too_deep() -> PriceListError:
    return file_error(
        _("The document is nested too deeply (more than %(depth)s levels).") % {"depth": MAX_DEPTH},
        "too_deep",
    )


def _check_yaml_events(content: bytes, loader: Any, max_nodes: int) -> None:
    """One pass over the parser's events, before anything is built.

    Refuses nesting deeper than ``MAX_DEPTH`` and documents that, with
    every alias expanded, have more than ``max_nodes`` nodes ("billion
    laughs"). Iterative: no recursion, however deep the input.
    """
    anchored: dict[str, int] = {}  # anchor -> nodes of its value, aliases expanded
    open_sizes: list[tuple[str | None, int]] = []  # per open collection: anchor, start total
    total = 0
    for event in yaml.parse(content, Loader=loader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_sizes) >= MAX_DEPTH:
                raise _too_deep()
            open_sizes.append((event.anchor, total))
            total += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, started = open_sizes.pop()
            if anchor is not None:
                anchored[anchor] = total - started
        elif isinstance(event, yaml.ScalarEvent):
            total += 1
            if event.anchor is not None:
                anchored[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchored:  # undefined, or its node is still open
                raise file_error(_("The YAML document has an undefined or recursive alias."))
            total += anchored[event.anchor]
        if total > max_nodes:
            raise file_error(
                _("The YAML document expands to too many nodes (aliases)."), "too_many_nodes"
            )


def parse_yaml(content: bytes) -> Any:
    """``yaml.safe_load`` semantics (no Python objects), refusing alias bombs and deep nesting."""
    from .conf import app_settings

    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        _check_yaml_events(content, loader, app_settings.YAML_MAX_NODES)
        return yaml.load(content, Loader=loader)  # noqa: S506 - a SafeLoader
    except RecursionError:
        raise _too_deep() from None
    except yaml.YAMLError as exc:
        if "maximum nesting depth" in str(exc):  # libyaml's own limit
            raise _too_deep() from None
        raise file_error(_("Not valid YAML: %(error)s") % {"error": exc}) from None


def _check_depth(data: Any) -> None:
    """Refuse JSON nested deeper than ``MAX_DEPTH`` (iterative walk)."""
    pending = [(data, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > MAX_DEPTH:
            raise _too_deep()
        pending.extend((child, depth + 1) for child in children)


def parse_json(content: bytes) -> Any:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except RecursionError:
        raise _too_deep() from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise file_error(_("Not valid JSON: %(error)s") % {"error": exc}) from None
    _check_depth(data)
    return data


def _flat_rows(header: list[Any], rows: Any) -> dict[str, Any]:
    names = [str(h).strip() if h is not None else "" for h in header]
    lowered = [n.lower() for n in names]
    for required in ("id", "name", "price"):
        if required not in lowered:
            raise file_error(
                _("The sheet has no %(column)s column.") % {"column": repr(required)},
                "missing_column",
            )
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
        raise file_error(
            _("A price list is for one shop; the sheet names several."), "several_shops"
        )
    return {"shop": shops.pop() if shops else None, "categories": None, "goods": goods}


def parse_csv(content: bytes) -> dict[str, Any]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise file_error(_("The CSV file is not UTF-8 text."), "wrong_type") from None
    # the delimiter is the most frequent of , ; TAB in the header line (Excel
    # writes ";" in many locales); quoting follows the standard excel dialect
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter)
    # Rows are numbered as a spreadsheet shows them (header = row 1); an empty
    # line is no row, as in django-import-export's CSV reader (tablib).
    records = (row for row in reader if row)
    try:
        header = next(records)
    except StopIteration:
        raise file_error(_("The CSV file is empty.")) from None
    try:
        return _flat_rows(header, enumerate(records, start=2))
    except csv.Error as exc:
        raise file_error(_("Not valid CSV: %(error)s") % {"error": exc}) from None


def parse_xlsx(content: bytes) -> dict[str, Any]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise file_error(_("Not a valid XLSX workbook.")) from None
    if unpacked > XLSX_MAX_RATIO * max(len(content), 64 * 1024):
        raise file_error(_("The XLSX workbook unpacks to too much data."), "file_too_large")
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
