"""Erasing a customer's personal data: orders kept, contact replaced, cart emptied."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop_core.signals import erasing_personal_data
from shop_orders import services
from shop_orders.models import ADDRESS_FIELDS, Cart, CartLine, Order, OrderLine
from shop_orders.services.privacy import ERASED

from . import factories


@pytest.mark.django_db
def test_erasure_keeps_orders_and_totals_and_replaces_contact(customer, other_user, offer):
    order = factories.place_order(customer, [(offer, 2)])
    Order.objects.filter(pk=order.pk).update(comment="ring twice, Ivan")
    services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    theirs = factories.place_order(other_user, [(offer, 1)])
    services.add_line(user=other_user, offer_id=offer.pk, quantity=1)

    erasing_personal_data.send(sender=None, user=customer)

    order.refresh_from_db()
    assert order.total == Decimal("500.00") and order.number
    assert [(line.product_name, line.quantity) for line in order.lines.all()] == [("Phone", 2)]
    assert order.email == "" and order.comment == ""
    assert {name: getattr(order, name) for name in ADDRESS_FIELDS} == {
        "recipient": ERASED,
        "phone": ERASED,
        "city": ERASED,
        "street": ERASED,
        "building": ERASED,
        "apartment": "",
        "postal_code": "",
    }
    assert not Cart.objects.filter(user=customer).exists()
    assert not CartLine.objects.filter(cart__user=customer).exists()
    # Another customer's order and cart are untouched.
    theirs.refresh_from_db()
    assert theirs.address == factories.ADDRESS and theirs.email == "bob@example.com"
    assert CartLine.objects.filter(cart__user=other_user).count() == 1
    assert OrderLine.objects.filter(order__user=customer).count() == 1
