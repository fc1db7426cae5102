"""Erasing a customer's personal data (``shop_core.signals.erasing_personal_data``)."""

from __future__ import annotations

from typing import Any

from ..models import Cart, Order

# What an erased order shows instead of the name, phone and address.
ERASED = "erased"


def erase_personal_data(*, user: Any) -> int:
    """Replace the contact and address snapshot of the user's orders with
    placeholders and delete the cart. Orders, lines and totals stay (accounting).

    Returns the number of orders anonymised. Two queries.
    """
    erased = Order.objects.filter(user=user).update(
        email="",
        recipient=ERASED,
        phone=ERASED,
        city=ERASED,
        street=ERASED,
        building=ERASED,
        apartment="",
        postal_code="",
        comment="",
    )
    Cart.objects.filter(user=user).delete()
    return erased
