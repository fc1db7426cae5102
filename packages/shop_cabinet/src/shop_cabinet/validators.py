"""The postal-code rule of the address book.

The rule is a hook (``SHOP_CABINET["POSTAL_CODE_VALIDATOR"]``) so a shop in
another country plugs in its own; the model field references the stable
wrapper ``validate_postal_code`` so swapping the hook never needs a migration.

Digits: a postal code typed with another script's digits (``١٠١٠٠٠``,
``１０１٠٠٠``) is read as ASCII digits (``shop_core.bounds.ascii_digits``) and
checked with an ASCII-only pattern (Python's ``\\d`` would match any script).
``Address.clean_fields`` stores the ASCII form, so orders copy ASCII too.

The phone rule is the shop's one rule, ``shop_core.fields.validate_phone``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shop_core.bounds import ascii_digits
from shop_core.fields import validate_phone  # noqa: F401  (migration 0001 names it here)

from .conf import app_settings

# Russian postal codes (почтовые индексы) are six digits; the first one is the
# postal zone, 1 (Moscow and the centre) to 6 (Siberia and the Far East).
RUSSIAN_POSTAL_CODE = re.compile(r"[1-6][0-9]{5}")


def validate_russian_postal_code(value: str) -> None:
    """The default postal-code hook: six digits, the first one 1-6 (``101000``)."""
    if not RUSSIAN_POSTAL_CODE.fullmatch(ascii_digits(value or "")):
        raise ValidationError(
            _("Enter a Russian postal code: six digits, e.g. 101000."), code="invalid_postal_code"
        )


def validate_postal_code(value: str) -> None:
    """Run the configured ``POSTAL_CODE_VALIDATOR`` hook on the value with ASCII digits."""
    app_settings.POSTAL_CODE_VALIDATOR(ascii_digits(value or ""))
