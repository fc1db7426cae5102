"""Checkout: one transaction, stock, snapshots, idempotency, address hook."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.test import override_settings

from shop_catalog.models import Offer
from shop_orders import services
from shop_orders.exceptions import CheckoutError, LinesUnavailable
from shop_orders.models import CartLine, Order, OrderLine, OrderPart, StatusChange
from shop_orders.selectors import email_of
from shop_orders.signals import order_placed

from . import factories
from .conftest import codes_of, errors_of
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
    assert order.email == email_of(customer) == "alice@example.com"
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
    # the retry finds the cart emptied by the first attempt: the same request
    retry = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json() == first.json()
    # ... or refilled with what the order was placed from: the same request too
    api.post(LINES, {"offer": offer.pk, "quantity": 1}, format="json")
    again = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Order.objects.count() == 1
    assert Offer.objects.get(pk=offer.pk).quantity == 4
    assert CartLine.objects.filter(cart__user=customer).count() == 1  # the replay wrote nothing
    # a new key is a new checkout
    third = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    assert third.status_code == 201
    assert Order.objects.count() == 2


def test_retry_with_the_address_in_other_digits_is_the_same_request(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk)
    first = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    arabic = {**ADDRESS, "postal_code": "١٢٥٠٠٩"}
    retry = api.post(CHECKOUT, {"address": arabic}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert (first.status_code, retry.status_code) == (201, 200)


@pytest.mark.parametrize(
    "change",
    [
        {"address": {**ADDRESS, "city": "Kazan"}},
        {"email": "someone@example.com"},
        {"comment": "ring twice"},
    ],
    ids=["address", "email", "comment"],
)
def test_the_key_with_another_request_is_422(api, customer, offer, change):
    services.add_line(user=customer, offer_id=offer.pk, quantity=2)
    first = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 201
    services.add_line(user=customer, offer_id=offer.pk, quantity=2)  # the same cart again
    reused = api.post(
        CHECKOUT, {"address": ADDRESS, **change}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert reused.status_code == 422
    assert codes_of(reused) == ["idempotency_key_reused"]
    assert Order.objects.count() == 1
    assert Offer.objects.get(pk=offer.pk).quantity == 3
    assert CartLine.objects.get(cart__user=customer).quantity == 2


def test_the_key_with_another_cart_is_422(api, customer, offer):
    """Same body, but the cart now holds something else: not a retry of that order."""
    services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    assert api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = factories.offer(quantity=3)
    services.add_line(user=customer, offer_id=other.pk, quantity=1)
    reused = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert reused.status_code == 422
    assert codes_of(reused) == ["idempotency_key_reused"]
    assert Order.objects.count() == 1
    assert Offer.objects.get(pk=other.pk).quantity == 3
    assert CartLine.objects.filter(cart__user=customer, offer=other).exists()


def test_orders_placed_before_fingerprints_replay_without_comparing(customer, offer):
    order = factories.place_order(customer, [(offer, 1)], idempotency_key="old")
    Order.objects.filter(pk=order.pk).update(request_fingerprint="")
    result = services.checkout(
        user=customer, address={**ADDRESS, "city": "Kazan"}, idempotency_key="old"
    )
    assert (result.order.pk, result.created) == (order.pk, False)


def test_idempotency_keys_are_per_user(api, other_api, customer, other_user, offer):
    services.add_line(user=customer, offer_id=offer.pk)
    services.add_line(user=other_user, offer_id=offer.pk)
    a = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    b = other_api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="same")
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]


@pytest.mark.parametrize("key", ["k" * 256, "ключ"])
def test_api_bad_idempotency_key_is_400(api, customer, offer, key):
    services.add_line(user=customer, offer_id=offer.pk)
    response = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 400
    assert errors_of(response) == [("idempotency_key", "invalid_idempotency_key")]
    assert not Order.objects.exists()


@override_settings(SHOP_ORDERS={"IDEMPOTENCY_KEY_MAX_LENGTH": 8})
def test_the_key_length_is_a_setting(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk)
    response = api.post(CHECKOUT, {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 9)
    assert response.status_code == 400


def test_api_out_of_stock_is_409_with_lines(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk, quantity=3)
    Offer.objects.filter(pk=offer.pk).update(quantity=1)
    response = api.post(CHECKOUT, {"address": ADDRESS}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert codes_of(response) == ["unavailable"]
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
    ("payload", "error"),
    [
        ({}, ("address", "required")),
        ({"address": {**ADDRESS, "city": ""}}, ("address.city", "blank")),
        ({"address": {**ADDRESS, "phone": "call me"}}, ("address.phone", "invalid_phone")),
        ({"address": {**ADDRESS, "phone": "1234"}}, ("address.phone", "invalid_phone")),
        ({"address": ADDRESS, "address_id": "1"}, ("address", "ambiguous_address")),
        ({"address": ADDRESS, "email": "nope"}, ("email", "invalid")),
    ],
)
def test_api_bad_checkout_input_is_400(api, customer, offer, payload, error):
    services.add_line(user=customer, offer_id=offer.pk)
    response = api.post(CHECKOUT, payload, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [error]
    assert not Order.objects.exists()


def test_api_empty_cart_is_409(api):
    response = api.post(CHECKOUT, {"address": ADDRESS}, format="json")
    assert response.status_code == 409
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "empty_cart", "detail": "Your cart is empty.", "attr": None}],
        "lines": [],
    }


def test_lines_removed_during_checkout_undo_the_order(customer, offer):
    """A writer that does not lock the cart (the admin) removes a line while the
    checkout runs: fewer lines deleted than read, so the whole order is undone."""
    from django.db.models.signals import post_save

    other = factories.offer(quantity=5)
    services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    services.add_line(user=customer, offer_id=other.pk, quantity=1)

    def admin_removes_a_line(sender, **kwargs):  # between the read and the delete
        CartLine.objects.filter(offer=other).delete()

    post_save.connect(admin_removes_a_line, sender=Order)
    try:
        with pytest.raises(CheckoutError) as exc:
            services.checkout(user=customer, address=ADDRESS)
    finally:
        post_save.disconnect(admin_removes_a_line, sender=Order)
    assert (exc.value.code, exc.value.status_code) == ("cart_changed", 409)
    assert not Order.objects.exists()
    assert Offer.objects.get(pk=offer.pk).quantity == 5


def test_address_id_without_resolver_is_400(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk)
    response = api.post(CHECKOUT, {"address_id": "7"}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("address_id", "not_supported")]


SAVED = {"7": dict(ADDRESS, city="Kazan", street="Baumana")}
RESOLVER_CALLS: list = []


def resolve_saved(user, address_id):
    RESOLVER_CALLS.append((user.get_username(), address_id))
    if address_id not in SAVED:
        raise ObjectDoesNotExist(address_id)
    return {**SAVED[address_id], "extra": "ignored"}


@override_settings(SHOP_ORDERS={"ADDRESS_RESOLVER": "tests.test_checkout.resolve_saved"})
def test_address_resolver_hook(api, customer, offer):
    RESOLVER_CALLS.clear()
    services.add_line(user=customer, offer_id=offer.pk)
    missing = api.post(CHECKOUT, {"address_id": "8"}, format="json")
    assert missing.status_code == 400
    assert errors_of(missing) == [("address_id", "does_not_exist")]
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
    # recipient, phone, street and building are blank
    assert errors_of(response) == [("address_id", "blank")] * 4
    assert response.json()["errors"][0]["detail"].startswith("recipient: ")
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


# --- amounts an order could not hold ------------------------------------------------


def test_checkout_refuses_a_line_whose_price_grew_too_large(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk, quantity=2)
    Offer.objects.filter(pk=offer.pk).update(price=Decimal("6000000000.00"))
    response = api.post(CHECKOUT, {"address": ADDRESS}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert codes_of(response) == ["unavailable"]
    assert [line["problem"] for line in body["lines"]] == ["amount_too_large"]
    assert not Order.objects.exists()
    assert Offer.objects.get(pk=offer.pk).quantity == 5


def test_checkout_refuses_an_order_total_too_large(api, customer):
    """Each line fits, their sum does not (prices raised after the adds)."""
    offers = [factories.offer(price="4000000000.00", quantity=5) for _ in range(2)]
    for offer in offers:
        services.add_line(user=customer, offer_id=offer.pk)
    Offer.objects.filter(pk=offers[1].pk).update(price=Decimal("7000000000.00"))
    response = api.post(CHECKOUT, {"address": ADDRESS}, format="json")
    assert response.status_code == 409
    assert codes_of(response) == ["amount_too_large"]
    assert {line["offer"] for line in response.json()["lines"]} == {o.pk for o in offers}
    assert not Order.objects.exists()
    assert list(Offer.objects.values_list("quantity", flat=True)) == [5, 5]


# --- the delivery address -------------------------------------------------------------


def test_other_scripts_digits_in_the_address_are_stored_as_ascii(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk)
    address = {
        **ADDRESS,
        "phone": "+٧ ٩٠٠ ١٢٣-٤٥-٦٧",  # Arabic-Indic
        "postal_code": "1٢٥٠٠٩",
        "building": "१२",  # Devanagari
    }
    response = api.post(CHECKOUT, {"address": address}, format="json")
    assert response.status_code == 201, response.json()
    order = Order.objects.get()
    assert (order.phone, order.postal_code, order.building) == (
        "+7 900 123-45-67",
        "125009",
        "12",
    )


def test_a_phone_of_other_scripts_letters_is_still_refused(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk)
    response = api.post(CHECKOUT, {"address": {**ADDRESS, "phone": "+٧ abc"}}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("address.phone", "invalid_phone")]


@override_settings(SHOP_ORDERS={"ADDRESS_RESOLVER": "tests.test_checkout.resolve_saved"})
def test_retry_with_a_saved_address_replays_and_an_inline_copy_is_the_same(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk)
    first = api.post(CHECKOUT, {"address_id": "7"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    retry = api.post(CHECKOUT, {"address_id": "7"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    inline = api.post(CHECKOUT, {"address": SAVED["7"]}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert (first.status_code, retry.status_code, inline.status_code) == (201, 200, 200)
    assert Order.objects.count() == 1


@override_settings(SHOP_CATALOG={"CACHE": True})
def test_taking_and_returning_stock_start_a_new_catalogue_version(customer, offer):
    # Cached catalogue pages show stock; an UPDATE sends no signal to tell them.
    from shop_catalog.catalogue import catalogue_changed, catalogue_version

    catalogue_changed()
    before = catalogue_version()
    services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    order = services.checkout(user=customer, address=ADDRESS).order
    after_checkout = catalogue_version()
    services.cancel_order(order=order, by=customer)
    assert len({before, after_checkout, catalogue_version()}) == 3
