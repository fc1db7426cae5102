"""Hook implementations the tests swap in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from shop_cabinet.hooks import CustomerKind


def validate_uk_postcode(value: str) -> None:
    if not re.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", value or ""):
        raise ValidationError("Enter a UK postcode.", code="invalid_postal_code")


def everyone_verified_b2b(user: Any) -> CustomerKind:
    return CustomerKind(kind="b2b", verified=True)


def b2b_when_named_acme(user: Any) -> CustomerKind:
    return CustomerKind(kind="b2b", verified=str(user).startswith("acme"))


@dataclass(frozen=True)
class Company:
    """Shaped like shop_accounts' ``BusinessProfile``."""

    company_name: str
    verified: bool
    kind: str = "b2b"


def business_like(user: Any) -> Company:
    return Company(company_name="ACME", verified=True)


SEEN: list[str] = []


def record_postal_code(value: str) -> None:
    """A host's postal-code hook that accepts anything and records what it was given."""
    SEEN.append(value)
