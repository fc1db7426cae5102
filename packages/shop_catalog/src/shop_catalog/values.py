"""The rules for prices, quantities and parameter values, wherever they come from.

One set of rules for the API, the price-list import (YAML, JSON, CSV, XLSX)
and the admin's import-export, so a value accepted (or refused, with the same
message and code) in one place is accepted (or refused) in all of them:

- ``parse_money``: a finite, non-negative amount with at most 2 decimal
  places that fits ``DecimalField(12, 2)`` (at most ``MONEY_MAX``).
- ``parse_quantity``: a whole number from 0 to ``QUANTITY_MAX`` (the range of
  ``PositiveIntegerField`` on every database Django supports).
- ``scalar_text``: the text stored for a scalar read from a file (see the
  README, "Parameter values").

Digits of other scripts (``"١٢٣"``) are read as the number they write, as
Python's ``int`` and ``Decimal`` (and so DRF and Django forms) read them.
Each refusal is a ``BadValue``: a ``ValueError`` with a translated
``message`` and a stable ``code``.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from shop_core.bounds import MONEY_MAX, money_fits

QUANTITY_MAX = 2_147_483_647
CENT = Decimal("0.01")
# The codes of the refusals of parse_money and parse_quantity.
MONEY_CODES = ("invalid", "negative", "too_large", "max_decimal_places")
QUANTITY_CODES = ("not_integer", "negative", "too_large")


class BadValue(ValueError):
    """A value that breaks a rule: ``message`` (translated) and ``code``."""

    def __init__(self, message: Any, code: str) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code


def _decimal(value: Any) -> Decimal:
    """``value`` as a Decimal; ``ValueError`` for what is not a number (bools included)."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        value = repr(value)  # the shortest text of the float: 0.1, not 0.1000000000000000055
    try:
        return Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError, TypeError):
        raise ValueError(value) from None


def parse_money(value: Any) -> Decimal:
    """An amount for a price column, with 2 decimal places; ``BadValue`` otherwise."""
    try:
        amount = _decimal(value)
    except ValueError:
        raise BadValue(_("Enter a number."), "invalid") from None
    if not amount.is_finite():
        raise BadValue(_("Enter a number."), "invalid")
    if amount < 0:
        raise BadValue(_("Must not be negative."), "negative")
    if not money_fits(amount):
        raise BadValue(_("At most %(max)s.") % {"max": MONEY_MAX}, "too_large")
    if amount != amount.quantize(CENT):
        raise BadValue(_("At most 2 decimal places."), "max_decimal_places")
    return amount.quantize(CENT) + 0  # + 0 turns -0.00 into 0.00


def parse_quantity(value: Any) -> int:
    """A stock quantity: a whole number from 0 to ``QUANTITY_MAX``; ``BadValue`` otherwise."""
    try:
        number = _decimal(value)
    except ValueError:
        raise BadValue(_("Enter a whole number."), "not_integer") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise BadValue(_("Enter a whole number."), "not_integer")
    if number < 0:
        raise BadValue(_("Must not be negative."), "negative")
    # compared before int(): int(Decimal("1e999999")) alone takes minutes
    if number > QUANTITY_MAX:
        raise BadValue(_("At most %(max)s.") % {"max": QUANTITY_MAX}, "too_large")
    return int(number)


def scalar_text(value: Any) -> str:
    """The text stored for a scalar read from a price list ("" for null).

    - ``None`` -> ``""`` (no value);
    - ``True`` / ``False`` -> ``"true"`` / ``"false"``, as YAML and JSON write them;
    - an int -> its digits (``512``);
    - a float -> the shortest decimal that reads back as the same number, in
      plain notation and without a trailing ``.0`` (``6.0`` -> ``"6"``,
      ``6.5`` -> ``"6.5"``, ``1e-07`` -> ``"0.0000001"``); NaN and infinities
      are refused;
    - a date -> ``YYYY-MM-DD``; a date-time -> ISO 8601, or only the date
      when it is midnight without a zone (a spreadsheet's date cell);
    - a string -> itself without surrounding whitespace;
    - a mapping or a list -> refused (``BadValue``, code ``not_scalar``).
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            raise BadValue(_("Enter a finite number."), "invalid")
        number = Decimal(repr(value)) if isinstance(value, float) else value
        if not number.is_finite():
            raise BadValue(_("Enter a finite number."), "invalid")
        if isinstance(value, float):
            number = number.normalize() + 0  # + 0 turns -0 into 0
        return format(number, "f")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (dict, list, tuple, set)):
        raise BadValue(_("Must be a single value."), "not_scalar")
    return str(value).strip()
