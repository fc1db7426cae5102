"""Validators of the address book.

The postal-code rule is a hook (``SHOP_CABINET["POSTAL_CODE_VALIDATOR"]``) so a
shop in another country plugs in its own; model fields reference the stable
wrapper ``validate_postal_code`` so swapping the hook never needs a migration.

Digits: a phone or postal code typed with another script's digits (``١٠١٠٠٠``,
``１０１０００``) is read as ASCII digits (``shop_core.bounds.ascii_digits``) and
checked with ASCII-only patterns (Python's ``\\d`` would match any script).
``Address.clean_fields`` stores the ASCII form, so orders copy ASCII too.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shop_core.bounds import ascii_digits

from .conf import app_settings

# Russian postal codes (почтовые индексы) are six digits; the first one is the
# postal zone, 1 (Moscow and the centre) to 6 (Siberia and the Far East).
RUSSIAN_POSTAL_CODE = re.compile(r"[1-6][0-9]{5}")
# A phone as people type it: an optional "+", a digit, then digits, spaces, dashes,
# brackets (what shop_orders' checkout accepts, so a saved address always checks out).
PHONE = re.compile(r"\+?[0-9][0-9 ()\-]*")
ASCII_DIGITS = frozenset("0123456789")


def validate_russian_postal_code(value: str) -> None:
    """The default postal-code hook: six digits, the first one 1-6 (``101000``)."""
    if not RUSSIAN_POSTAL_CODE.fullmatch(ascii_digits(value or "")):
        raise ValidationError(
            _("Enter a Russian postal code: six digits, e.g. 101000."), code="invalid_postal_code"
        )


def validate_postal_code(value: str) -> None:
    """Run the configured ``POSTAL_CODE_VALIDATOR`` hook on the value with ASCII digits."""
    app_settings.POSTAL_CODE_VALIDATOR(ascii_digits(value or ""))


def validate_phone(value: str) -> None:
    """An optional "+", a digit, then digits, spaces, dashes, brackets; 5-15 digits."""
    value = ascii_digits(value or "")
    digits = sum(ch in ASCII_DIGITS for ch in value)
    if not PHONE.fullmatch(value) or not 5 <= digits <= 15:
        raise ValidationError(
            _("Enter a phone number, e.g. +7 495 123-45-67."), code="invalid_phone"
        )
