"""Serializer fields and URL patterns for ids and digits, strict about scripts.

Python's ``int("١٢")`` is 12 and its ``\\d`` matches every script's digits,
so without these a price, a date or an id typed in another script would be
read as if it were ASCII, and ``/orders/١/`` would route to order 1.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError

from .bounds import ascii_digits

# URL ``lookup_value_regex`` for ids: ASCII digits that fit a bigint, else the route is a 404.
ID_PATTERN = r"[0-9]{1,18}"
MAX_ID = 2**63 - 1

NON_ASCII_DIGITS = "non_ascii_digits"
NON_ASCII_DIGITS_MESSAGE = _("Use the digits 0-9.")


_PHONE = re.compile(r"\+?[0-9][0-9 ()\-]*")


def validate_phone(value: str) -> None:
    """A phone as people type it: an optional "+", a digit, then digits, spaces, dashes,
    brackets; 5 to 15 digits in all (E.164's most). Other scripts' digits count as
    ASCII (store ``ascii_digits(value)``). Code ``invalid_phone``."""
    value = ascii_digits(value or "")
    digits = sum(char.isdigit() for char in value)
    if not _PHONE.fullmatch(value) or not 5 <= digits <= 15:
        raise DjangoValidationError(
            _("Enter a phone number, e.g. +7 495 123-45-67."), code="invalid_phone"
        )


def has_other_digits(value: Any) -> bool:
    """Whether ``value`` is a string holding a digit that is not ASCII 0-9."""
    return isinstance(value, str) and any(c.isdigit() and not c.isascii() for c in value)


class IdField(serializers.PrimaryKeyRelatedField):
    """A primary key given as an integer or a string of ASCII digits, 1 to ``MAX_ID``.

    DRF's own field reads ``1.5`` as 1 and ``"١٢"`` as 12; here they are a 400
    (``incorrect_type``), and an id no column can hold is ``does_not_exist``.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and data.isascii() and data.isdigit():
            number = int(data) if len(data) <= 20 else MAX_ID + 1
        elif isinstance(data, int) and not isinstance(data, bool):
            number = data
        else:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= number <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(number)


class AsciiDigitsField(serializers.CharField):
    """A ``CharField`` that turns other scripts' digits into ASCII before validating.

    For text that people type with digits in it: phones, postal codes, house numbers.
    """

    def to_internal_value(self, data: Any) -> str:
        return ascii_digits(super().to_internal_value(data))


# Fields whose input DRF reads through int()/Decimal()/date parsing, which accept any script.
DIGIT_FIELDS = (
    serializers.IntegerField,
    serializers.DecimalField,
    serializers.FloatField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.TimeField,
    serializers.DurationField,
    serializers.PrimaryKeyRelatedField,
)


class AsciiDigitsMixin:
    """Serializer mixin: other scripts' digits in number, date, time and id fields are a 400.

    The error is ``non_ascii_digits`` on each such field.
    """

    def to_internal_value(self, data: Any) -> Any:
        if hasattr(data, "get"):
            errors = {
                name: [ErrorDetail(str(NON_ASCII_DIGITS_MESSAGE), code=NON_ASCII_DIGITS)]
                for name, field in self.fields.items()  # type: ignore[attr-defined]
                if isinstance(field, DIGIT_FIELDS)
                and not field.read_only
                and has_other_digits(data.get(name))
            }
            if errors:
                raise ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]
