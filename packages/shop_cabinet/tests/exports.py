"""Export providers the tests plug in through the settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def loyalty(user: Any) -> dict[str, Any]:
    return {"points": Decimal("12.50"), "user": user.get_username()}
