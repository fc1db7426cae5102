"""Checkout: one transaction, stock, snapshots, idempotency, address hook."""

from __future__ import annotations

import sys
from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.test import override_settings

from shop_catalog.models import Offer
from shop_orders import services
from shop_orders.exceptions import CheckoutError, LinesUnavailable
from shop_orders.models import CartLine, Order, OrderLine, OrderPart, StatusChange
from shop_orders.signals import order_placed

from . import factories
from .factories import ADDRESS

CHECKOUT = "/api/v1/orders/checkout/"
LINES = "/api/v1/orders/cart/lines/"

pytestmark = pytest.mark.django_db


def test_checkout_splits_by_shop_snapshots_and_takes_stock(customer, offer):
    other = factories.offer(price="10.00", quantity=3)
    services.add_line(user=customer, offer_id=offer.pk, quantity=2)
    services.add_line(user=customer, offer_id=other.pk, quantity=3)

    result = services.checkout(user=customer, address=ADDRESS, comment="ring twice")

    order = result.order
    assert result.created
    assert order.total == Decimal("530.00")
    assert order.number and order.number.endswith(f"{order.pk:06d}")
    assert order.status == "new" and order.comment == "ring twice"
    assert order.email == customer.email
    assert order.address == ADDRESS
    parts = {p.shop_id: p for p in OrderPart.objects.filter(order=order)}
    assert parts[offer.shop_id].total == Decimal("500.00")
    assert parts[other.shop_id].total == Decimal("30.00")
    line = OrderLine.objects.get(order=order, offer=offer)
    assert (line.product_name, line.model, line.shop_name) == ("Phone", offer.model, "Svyaznoy")
    assert (line.unit_price, line.quantity, line.part_id) == (
        Decimal("250.00"),
        2,
        parts[offer.shop_id].pk,
    )
    assert Offer.objects.get(pk=offer.pk).quantity == 3
    assert Offer.objects.get(pk=other.pk).quantity == 0
    assert not CartLine.objects.filter(cart__user=customer).exists()
    history = StatusChange.objects.filter(order=order)
    assert (
        sorted((h.from_status, h.to_status, h.by_id) for h in history)
        == [("", "new", customer.pk)] * 2
    )


def test_editing_the_catalogue_later_never_changes_the_order(customer, offer):
    order = factories.place_order(customer, [(offer, 1)])
    offer.price = Decimal("999.00")
    offer.model = "changed"
    offer.save()
    offer.product.name = "Renamed"
    offer.product.save()
    offer.shop.name = "Renamed shop"
    offer.shop.save()
    line = OrderLine.objects.get(order=order)
    assert (line.product_name, line.model, line.shop_name, line.unit_price) == (
        "Phone",
        line.model,
        "Svyaznoy",
        Decimal("250.00"),
    )
    assert line.model != "changed"
    assert Order.objects.get(pk=order.pk).total == Decimal("250.00")


def test_ordered_offer_cannot_be_deleted(customer, offer):
    from django.db.models import ProtectedError

    factories.place_order(customer, [(offer, 1)])
    with pytest.raises(ProtectedError):
        Offer.objects.filter(pk=offer.pk).delete()


def test_empty_cart_is_a_checkout_error(customer):
    with pytest.raises(CheckoutError) as exc:
        services.checkout(user=customer, address=ADDRESS)
    assert exc.value.code == "empty_cart"


def test_stock_gone_since_adding_rolls_everything_back(customer, offer):
    fine = factories.offer(quantity=5)
    services.add_line(user=customer, offer_id=fine.pk, quantity=2)
    services.add_line(user=customer, offer_id=offer.pk, quantity=5)
    Offer.objects.filter(pk=offer.pk).update(quantity=4)
    with pytest.raises(LinesUnavailable) as exc:
        services.checkout(user=customer, address=ADDRESS)
    assert [(p["offer"], p["problem"], p["available"]) for p in exc.value.lines] == [
        (offer.pk, "out_of_stock", 4)
    ]
    assert not Order.objects.exists()
    assert Offer.objects.get(pk=fine.pk).quantity == 5
    assert CartLine.objects.filter(cart__user=customer).count() == 2


def test_conditional_update_catches_stock_taken_after_the_check(customer, offer):
    """The pre-check passes, but the stock is gone at write time: still refused."""
    from django.db.models.signals import post_save

    services.add_line(user=customer, offer_id=offer.pk, quantity=5)

    def someone_buys(sender, **kwargs):  # runs between the check and the UPDATE
        Offer.objects.filter(pk=offer.pk).update(quantity=2)

    post_save.connect(someone_buys, sender=Order)
    try:
        with pytest.raises(LinesUnavailable) as exc:
            services.checkout(user=customer, address=ADDRESS)
    finally:
        post_save.disconnect(someone_buys, sender=Order)
    assert exc.value.code == "out_of_stock"
    assert exc.value.lines[0]["available"] == 2
    assert not Order.objects.exists()
    # the whole transaction rolled back, the concurrent write included (same connection)
    assert CartLine.objects.filter(cart__user=customer).count() == 1


def test_shop_that_stopped_accepting_orders_blocks_checkout(customer, offer):
    services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    offer.shop.accepts_orders = False
    offer.shop.save()
    with pytest.raises(LinesUnavailable) as exc:
        services.checkout(user=customer, address=ADDRESS)
    assert exc.value.lines[0]["problem"] == "shop_closed"
    assert Offer.objects.get(pk=offer.pk).quantity == 5


def test_order_placed_signal(customer, offer):
    received = []

    def receiver(sender, order, user, **kwargs):
        received.append((order.pk, user.pk, order.parts.count()))

    order_placed.connect(receiver)
    try:
        order = factories.place_order(customer, [(offer, 1)])
    finally:
        order_placed.disconnect(receiver)
    assert received == [(order.pk, customer.pk, 1)]


# --- API ------------------------------------------------------------------


def test_api_checkout_201_with_order(api, customer, offer):
    api.post(LINES, {"offer": offer.pk, "quantity": 2}, format="json")
    response = api.post(CHECKOUT, {"address": ADDRESS, "comment": "hi"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] and body["status"] == "new"
    assert Decimal(body["total"]) == Decimal("500.00")
    assert body["address"] == ADDRESS
    assert body["parts"][0]["lines"][0]["product_name"] == "Phone"
    assert body["can_cancel"] is True
    assert [h["to_status"] for h in body["history"]] == ["new"]


def test_api_idempotent_retry_returns_the_first_order(api, customer, offer):
    api.post(LINES, {"offer": offer.pk, "quantity": 1}, format="json")
    first = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    # the client retries, maybe after adding something else to the cart
    api.post(LINES, {"offer": offer.pk, "quantity": 1}, format="json")
    retry = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json() == first.json()
    assert Order.objects.count() == 1
    assert Offer.objects.get(pk=offer.pk).quantity == 4
    # a new key is a new checkout
    third = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    assert third.status_code == 201
    assert Order.objects.count() == 2


def test_idempotency_keys_are_per_user(api, other_api, customer, other_user, offer):
    services.add_line(user=customer, offer_id=offer.pk)
    services.add_line(user=other_user, offer_id=offer.pk)
    a = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    b = other_api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


def test_service_race_on_the_same_key_returns_the_winner(customer, offer, monkeypatch):
    """Two requests with one key: the loser hits the unique constraint and answers
    with the winner's order instead of failing."""
    checkout_module = sys.modules["shop_orders.services.checkout"]

    winner = factories.place_order(customer, [(offer, 1)], idempotency_key="k")
    services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    calls = []
    real = checkout_module.replayed_order

    def not_found_first(**kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(checkout_module, "replayed_order", not_found_first)
    result = services.checkout(user=customer, address=ADDRESS, idempotency_key="k")
    assert (result.order.pk, result.created) == (winner.pk, False)
    assert Order.objects.count() == 1
    assert Offer.objects.get(pk=offer.pk).quantity == 4


def test_api_too_long_idempotency_key_is_400(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk)
    response = api.post(
        CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 300
    )
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_api_out_of_stock_is_409_with_lines(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk, quantity=3)
    Offer.objects.filter(pk=offer.pk).update(quantity=1)
    response = api.post(CHECKOUT, {"address": ADDRESS}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "unavailable"
    assert body["lines"][0] | {"line": None} == {
        "line": None,
        "offer": offer.pk,
        "product_name": "Phone",
        "shop_name": "Svyaznoy",
        "requested": 3,
        "available": 1,
        "problem": "out_of_stock",
    }


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "address"),
        ({"address": {**ADDRESS, "city": ""}}, "address"),
        ({"address": {**ADDRESS, "phone": "call me"}}, "address"),
        ({"address": ADDRESS, "address_id": "1"}, "address"),
        ({"address": ADDRESS, "email": "nope"}, "email"),
    ],
)
def test_api_bad_checkout_input_is_400(api, customer, offer, payload, field):
    services.add_line(user=customer, offer_id=offer.pk)
    response = api.post(CHECKOUT, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Order.objects.exists()


def test_api_empty_cart_is_400(api):
    response = api.post(CHECKOUT, {"address": ADDRESS}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "empty_cart"


def test_address_id_without_resolver_is_400(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk)
    response = api.post(CHECKOUT, {"address_id": "7"}, format="json")
    assert response.status_code == 400
    assert "address_id" in response.json()


SAVED = {"7": dict(ADDRESS, city="Kazan", street="Baumana")}
RESOLVER_CALLS: list = []


def resolve_saved(user, address_id):
    RESOLVER_CALLS.append((user.username, address_id))
    if address_id not in SAVED:
        raise ObjectDoesNotExist(address_id)
    return {**SAVED[address_id], "extra": "ignored"}


@override_settings(SHOP_ORDERS={"ADDRESS_RESOLVER": "tests.test_checkout.resolve_saved"})
def test_address_resolver_hook(api, customer, offer):
    RESOLVER_CALLS.clear()
    services.add_line(user=customer, offer_id=offer.pk)
    missing = api.post(CHECKOUT, {"address_id": "8"}, format="json")
    assert missing.status_code == 400 and "address_id" in missing.json()
    response = api.post(CHECKOUT, {"address_id": "7"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["address"]["city"] == "Kazan"
    assert RESOLVER_CALLS == [("alice", "8"), ("alice", "7")]
    order = Order.objects.get()
    SAVED["7"]["city"] = "Samara"  # editing the address book later
    order.refresh_from_db()
    assert order.city == "Kazan"


def resolve_incomplete(user, address_id):
    return {"city": "Kazan"}


@override_settings(SHOP_ORDERS={"ADDRESS_RESOLVER": "tests.test_checkout.resolve_incomplete"})
def test_incomplete_resolved_address_is_400(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk)
    response = api.post(CHECKOUT, {"address_id": "1"}, format="json")
    assert response.status_code == 400
    assert "address_id" in response.json()
    assert not Order.objects.exists()


def test_refused_attempt_stores_nothing_so_the_key_can_be_reused(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk, quantity=3)
    Offer.objects.filter(pk=offer.pk).update(quantity=1)
    first = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 409
    line = CartLine.objects.get(cart__user=customer)
    assert api.patch(f"{LINES}{line.pk}/", {"quantity": 1}, format="json").status_code == 200
    again = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 201
    assert Offer.objects.get(pk=offer.pk).quantity == 0


def test_race_loser_finding_the_cart_emptied_returns_the_winner(customer, offer, monkeypatch):
    """The loser looked for the key before the winner committed, then found the
    cart already emptied by the winner: it still answers with the winner's order."""
    checkout_module = sys.modules["shop_orders.services.checkout"]
    winner = factories.place_order(customer, [(offer, 1)], idempotency_key="k")
    calls = []
    real = checkout_module.replayed_order

    def not_found_first(**kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(**kwargs)

    monkeypatch.setattr(checkout_module, "replayed_order", not_found_first)
    result = services.checkout(user=customer, address=ADDRESS, idempotency_key="k")
    assert (result.order.pk, result.created) == (winner.pk, False)
    with pytest.raises(CheckoutError):  # without a key an empty cart is still an error
        services.checkout(user=customer, address=ADDRESS)
