"""Bounds every input of the shop packages is held to.

Money: amounts are ``DecimalField(max_digits=12, decimal_places=2)``, so no
amount, product or sum may pass ``MONEY_MAX``. A package that multiplies or
adds amounts checks the result with ``money_fits`` before it writes, and
reads never assume that stored data still fits.

Dates: instants and days outside ``MIN_DATE`` .. ``MAX_DATE`` (years
1970-9000) are refused with code ``out_of_range``; a package may narrow
this further (a booking horizon).

Digits: a postal code or a phone typed with another script's digits
(``١٢٣``, ``१२३``) is normalised to ASCII by ``ascii_digits`` before it is
validated, so a rule written with ``[0-9]`` holds everywhere.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

MONEY_MAX_DIGITS = 12
MONEY_DECIMAL_PLACES = 2
MONEY_MAX = Decimal("9999999999.99")

MIN_DATE = dt.date(1970, 1, 1)
MAX_DATE = dt.date(9000, 12, 31)
MIN_DATETIME = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
MAX_DATETIME = dt.datetime(9000, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc)

OUT_OF_RANGE = "out_of_range"


def money_fits(value: Any) -> bool:
    """Whether ``value`` fits an amount column (at most ``MONEY_MAX`` in absolute value)."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return False
    return amount.is_finite() and abs(amount) <= MONEY_MAX


def validate_date_bounds(value: dt.date | dt.datetime) -> None:
    """``ValidationError`` (code ``out_of_range``) for a date or instant outside 1970-9000."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        inside = MIN_DATETIME <= aware <= MAX_DATETIME
    else:
        inside = MIN_DATE <= value <= MAX_DATE
    if not inside:
        raise ValidationError(_out_of_range_message(), code=OUT_OF_RANGE)


def _out_of_range_message() -> str:
    # Formatted at call time, so the message is in the language of the request.
    return str(_("Dates must lie between {min} and {max}.")).format(
        min=MIN_DATE.isoformat(), max=MAX_DATE.isoformat()
    )


class _OutOfRangeMixin:
    default_error_messages = {OUT_OF_RANGE: _("Dates must lie between {min} and {max}.")}

    def fail(self, key: str, **kwargs: Any) -> None:
        # DRF's own "overflow" (a zone conversion past year 9999) is one more way out of range.
        if key in (OUT_OF_RANGE, "overflow"):
            key, kwargs = OUT_OF_RANGE, {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}
        super().fail(key, **kwargs)  # type: ignore[misc]


class BoundedDateTimeField(_OutOfRangeMixin, serializers.DateTimeField):
    """``DateTimeField`` refusing instants outside 1970-9000 (code ``out_of_range``).

    Parsing ``9999-12-31T23:59:59+14:00`` or converting it to another zone can
    overflow Python's ``datetime``; that is an ``out_of_range`` 400 too.
    """

    def to_internal_value(self, value: Any) -> dt.datetime:
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:
            self.fail(OUT_OF_RANGE)
        try:
            validate_date_bounds(parsed)
        except ValidationError:
            self.fail(OUT_OF_RANGE)
        return parsed


class BoundedDateField(_OutOfRangeMixin, serializers.DateField):
    """``DateField`` refusing days outside 1970-9000 (code ``out_of_range``)."""

    def to_internal_value(self, value: Any) -> dt.date:
        parsed = super().to_internal_value(value)
        try:
            validate_date_bounds(parsed)
        except ValidationError:
            self.fail(OUT_OF_RANGE)
        return parsed


def ascii_digits(value: str) -> str:
    """``value`` with every Unicode decimal digit replaced by its ASCII digit."""
    if value.isascii():
        return value
    return "".join(
        str(unicodedata.decimal(char)) if unicodedata.category(char) == "Nd" else char
        for char in value
    )
