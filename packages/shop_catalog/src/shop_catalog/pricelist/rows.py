"""Validation of a parsed price list: every row checked, every problem reported.

``validate_pricelist(data)`` returns the goods as typed ``Row``s with the
shop the file names, or raises ``PriceListError`` listing every problem
(``{"section", "row", "field", "message", "code"}``). The values follow
``shop_catalog.values`` (the same rules as the API and the admin's
import-export).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..exceptions import PriceListError, problem
from ..values import BadValue, parse_money, parse_quantity, scalar_text

# Column widths of the models, checked here so a long value is a row error, not a database error.
MAX_ID = 100
MAX_CATEGORY = 200
MAX_NAME = 255
MAX_MODEL = 255
MAX_PARAMETER_NAME = 200
MAX_PARAMETER_VALUE = 255
MAX_SHOP_NAME = 200


@dataclass
class Row:
    """One valid goods row: an offer of the shop, with its product and category by name."""

    row: int
    external_id: str
    category: str
    name: str
    model: str
    price: Decimal
    price_rrc: Decimal | None
    quantity: int
    parameters: dict[str, str]


class Collector:
    """Collects errors of one section; ``text``/``money``/... read a value or record why not."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []
        self.section = "goods"
        self.row: int | None = None

    def add(self, field: str, message: Any, code: str) -> None:
        self.errors.append(problem(message, code, section=self.section, row=self.row, field=field))

    def text(self, field: str, value: Any, max_length: int, *, required: bool = False) -> str:
        try:
            text = scalar_text(value)
        except BadValue as exc:
            self.add(field, exc.message, exc.code)
            return ""
        if required and not text:
            self.add(field, _("This field is required."), "required")
        elif len(text) > max_length:
            self.add(field, _("At most %(n)d characters.") % {"n": max_length}, "max_length")
            return ""
        return text

    def money(self, field: str, value: Any) -> Decimal | None:
        try:
            return parse_money(value)
        except BadValue as exc:
            self.add(field, exc.message, exc.code)
            return None

    def quantity(self, field: str, value: Any) -> int:
        try:
            return parse_quantity(value)
        except BadValue as exc:
            self.add(field, exc.message, exc.code)
            return 0


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _categories(c: Collector, raw: Any) -> dict[str, str] | None:
    """Category id -> name of the ``categories`` list, or None without one (flat sheets)."""
    if raw is None:
        return None
    c.section, c.row = "categories", None
    names: dict[str, str] = {}
    if not isinstance(raw, list):
        c.add("", _("Must be a list."), "not_a_list")
        return names
    for number, item in enumerate(raw, start=1):
        c.row = number
        if not isinstance(item, dict):
            c.add("", _("Must be a mapping with id and name."), "not_a_mapping")
            continue
        cid = c.text("id", item.get("id"), MAX_ID, required=True)
        name = c.text("name", item.get("name"), MAX_CATEGORY, required=True)
        if cid in names:
            c.add("id", _("Duplicate category id %(id)s.") % {"id": cid}, "duplicate")
        elif cid and name:
            names[cid] = name
    return names


def _parameters(c: Collector, raw: Any) -> dict[str, str]:
    if _blank(raw):
        return {}
    if not isinstance(raw, dict):
        c.add("parameters", _("Must be a mapping of names to values."), "not_a_mapping")
        return {}
    parameters: dict[str, str] = {}
    for raw_name, raw_value in raw.items():
        name = c.text("parameters", raw_name, MAX_PARAMETER_NAME, required=True)
        if not name:
            continue
        value = c.text(f"parameters.{name}", raw_value, MAX_PARAMETER_VALUE)
        if value:  # null or "" means: no value
            parameters[name] = value
    return parameters


@dataclass
class PriceList:
    """A price list read and validated: the shop it names (``""`` if none) and its rows."""

    shop: str
    rows: list[Row]


def _external_id(c: Collector, item: dict[str, Any], seen: dict[str, int]) -> str:
    """The row's id; an id already used by an earlier row is a ``duplicate``."""
    external_id = c.text("id", item.get("id"), MAX_ID, required=True)
    if external_id in seen:
        message = _("Duplicate id %(id)s (first in row %(first)s).")
        c.add("id", message % {"id": external_id, "first": seen[external_id]}, "duplicate")
    elif external_id:
        seen[external_id] = c.row
    return external_id


def _category(c: Collector, item: dict[str, Any], categories: dict[str, str] | None) -> str:
    """The category's name: looked up by id in the ``categories`` list, or a sheet's column."""
    width = MAX_ID if categories is not None else MAX_CATEGORY
    category = c.text("category", item.get("category"), width, required=True)
    if not category or categories is None:
        return category
    if category not in categories:
        c.add("category", _("Unknown category id %(id)s.") % {"id": category}, "unknown_category")
    return categories.get(category, category)


def _prices(c: Collector, item: dict[str, Any]) -> tuple[Decimal | None, Decimal | None]:
    price = None
    if _blank(item.get("price")):
        c.add("price", _("This field is required."), "required")
    else:
        price = c.money("price", item["price"])
    price_rrc = None if _blank(item.get("price_rrc")) else c.money("price_rrc", item["price_rrc"])
    return price, price_rrc


def _good(
    c: Collector, item: dict[str, Any], categories: dict[str, str] | None, seen: dict[str, int]
) -> Row | None:
    """The goods ``item`` as a ``Row``, or None when it has a problem (recorded in ``c``)."""
    before, row = len(c.errors), c.row
    external_id = _external_id(c, item, seen)
    category = _category(c, item, categories)
    name = c.text("name", item.get("name"), MAX_NAME, required=True)
    model = c.text("model", item.get("model"), MAX_MODEL)
    price, price_rrc = _prices(c, item)
    quantity = 0 if _blank(item.get("quantity")) else c.quantity("quantity", item["quantity"])
    parameters = _parameters(c, item.get("parameters"))
    if len(c.errors) > before or price is None:
        return None
    return Row(row, external_id, category, name, model, price, price_rrc, quantity, parameters)


def _goods(c: Collector, goods: Any, categories: dict[str, str] | None) -> list[Row]:
    if not goods:
        # an empty list would set every offer of the shop to zero stock
        c.section, c.row = "file", None
        c.add("goods", _("The price list has no goods."), "no_goods")
        return []
    rows: list[Row] = []
    seen: dict[str, int] = {}
    for position, item in enumerate(goods, start=1):
        c.section, c.row = "goods", position
        if not isinstance(item, dict):
            c.add("", _("Must be a mapping."), "not_a_mapping")
            continue
        c.row = item.get("_row", position)
        row = _good(c, item, categories, seen)
        if row is not None:
            rows.append(row)
    return rows


def validate_pricelist(data: dict[str, Any]) -> PriceList:
    """Check the shop name, every category and every goods row of a parsed price list.

    Returns the ``PriceList``; raises ``PriceListError`` with every problem.
    """
    c = Collector()
    c.section = "file"
    shop = c.text("shop", data.get("shop"), MAX_SHOP_NAME)
    categories = _categories(c, data.get("categories"))
    rows = _goods(c, data.get("goods"), categories)
    if c.errors:
        raise PriceListError(c.errors)
    return PriceList(shop=shop, rows=rows)
