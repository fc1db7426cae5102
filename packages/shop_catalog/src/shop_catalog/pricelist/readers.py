"""Price-list readers: bytes in one of the supported formats -> one plain dict.

Every reader returns the structure of the supplier YAML::

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

Readers only read; ``rows.validate_pricelist`` checks every value.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

import yaml
from django.utils.translation import gettext as _

from ..conf import app_settings
from ..exceptions import PriceListError, file_error
from .formats import sniff

# Deepest nesting accepted in YAML/JSON (the format itself needs 4 levels).
MAX_DEPTH = 50
# An XLSX is a zip: refuse one that unpacks to more than this many times its size.
XLSX_MAX_RATIO = 100
FLAT_COLUMNS = ("id", "category", "model", "name", "price", "price_rrc", "quantity", "shop")


def parse_pricelist(content: bytes, fmt: str) -> dict[str, Any]:
    """``content`` of format ``fmt`` (one of ``FORMATS``) as the common dict (module doc).

    The content is sniffed first (binary data under a text format is
    ``wrong_type``); a document that is not a mapping with a ``goods`` list
    is ``invalid_file``.
    """
    if fmt not in READERS:
        raise file_error(
            _("Unknown price-list format %(format)s.") % {"format": fmt}, "unknown_format"
        )
    sniff(content, fmt)
    data = READERS[fmt](content)
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


class _NeedsFullLoader(Exception):
    """Anchors, aliases, tags, complex keys or several documents: PyYAML's own path."""


_NO_KEY = object()
_STR = "tag:yaml.org,2002:str"


def _scalar(loader: Any, event: yaml.ScalarEvent, tags: dict, built: dict) -> Any:
    """The value ``yaml.safe_load`` gives a scalar: its tag resolved by PyYAML's own
    resolver (YAML 1.1: ``yes``, ``0x1F``, dates ...), built by its constructor.

    ``tags`` and ``built`` remember resolved tags and built values (all immutable:
    numbers, booleans, None, dates, bytes) by text: a price list repeats them.
    """
    key = (event.value, event.implicit)
    tag = tags.get(key)
    if tag is None:
        tag = tags[key] = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR:
        return event.value
    if key in built:
        return built[key]
    if tag not in loader.yaml_constructors or tag == "tag:yaml.org,2002:merge":
        raise _NeedsFullLoader
    value = built[key] = loader.yaml_constructors[tag](loader, yaml.ScalarNode(tag, event.value))
    return value


def _build_from_events(content: bytes, loader_class: type) -> Any:
    """``yaml.safe_load`` of a plain document (the price lists suppliers send), in one
    pass over the C parser's events, refusing nesting deeper than ``MAX_DEPTH``.

    PyYAML's constructor builds a node tree first and then walks it in Python:
    most of an import's parsing time. Anything this does not handle (anchors,
    aliases, merge keys, explicit tags, complex keys, several documents)
    raises ``_NeedsFullLoader``.
    """
    loader = loader_class(content)
    get_event = loader.get_event
    # per open collection: [container, pending key]; the root's holder first
    holder: list[Any] = []
    open_: list[list[Any]] = [[holder, _NO_KEY]]
    documents = 0
    tags: dict = {}
    built: dict = {}
    try:
        while (event := get_event()) is not None:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _NeedsFullLoader
                value = _scalar(loader, event, tags, built)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if event.anchor is not None or event.tag is not None:
                    raise _NeedsFullLoader
                if len(open_) > MAX_DEPTH:
                    raise _too_deep()
                value = {} if kind is yaml.MappingStartEvent else []
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                open_.pop()
                continue
            elif kind is yaml.AliasEvent:
                raise _NeedsFullLoader
            else:
                if kind is yaml.DocumentStartEvent:
                    documents += 1
                    if documents > 1:
                        raise _NeedsFullLoader
                continue
            parent = open_[-1]
            container = parent[0]
            if type(container) is list:
                container.append(value)
            elif parent[1] is _NO_KEY:
                if type(value) is dict or type(value) is list:
                    raise _NeedsFullLoader
                parent[1] = value
            else:
                container[parent[1]] = value
                parent[1] = _NO_KEY
            if type(value) is dict or type(value) is list:
                open_.append([value, _NO_KEY])
    finally:
        loader.dispose()
    return holder[0] if holder else None


def parse_yaml(content: bytes) -> Any:
    """``yaml.safe_load`` semantics (no Python objects), refusing alias bombs and deep nesting.

    libyaml (``CSafeLoader``) parses when installed, PyYAML's pure-Python
    parser otherwise. A plain document is built straight from the parser's
    events; one with anchors, aliases or tags is first checked event by event
    (``_check_yaml_events``), then loaded by PyYAML.
    """
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        try:
            return _build_from_events(content, loader)
        except _NeedsFullLoader:
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


def _check_header(names: list[str]) -> None:
    lowered = [n.lower() for n in names]
    for required in ("id", "name", "price"):
        if required not in lowered:
            raise file_error(
                _("The sheet has no %(column)s column.") % {"column": repr(required)},
                "missing_column",
            )


def _blank_line(values: list[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _sheet_item(names: list[str], line: int, values: Iterable[Any]) -> dict[str, Any]:
    """One sheet row as a goods item: known columns by name, the others parameters."""
    item: dict[str, Any] = {"_row": line, "parameters": {}}
    for name, value in zip(names, values, strict=False):
        if not name:
            continue
        if isinstance(value, str):
            value = value.strip()
        if name.lower() in FLAT_COLUMNS:
            item[name.lower()] = value
        elif value is not None and value != "":
            item["parameters"][name] = value
    return item


def _flat_rows(header: list[Any], rows: Iterable[tuple[int, Any]]) -> dict[str, Any]:
    """A sheet (header, then ``(sheet row, values)``) as the common dict."""
    names = [str(h).strip() if h is not None else "" for h in header]
    _check_header(names)
    goods, shops = [], set()
    for line, values in rows:
        values = list(values)
        if _blank_line(values):
            continue
        item = _sheet_item(names, line, values)
        shop = item.pop("shop", None)
        if shop:
            shops.add(str(shop))
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


READERS = {"yaml": parse_yaml, "json": parse_json, "csv": parse_csv, "xlsx": parse_xlsx}
