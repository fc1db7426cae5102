"""Hostile input on every write endpoint: a 4xx, never a 5xx, and nothing changed.

Each endpoint is called with a payload that would succeed, with one value
replaced by something hostile: JSON nested 1000 deep, a 100,000-character
string or a NUL in each text field, overflowing or non-numbers in each
numeric field. The list endpoints get dates far outside 1970-9000.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import pytest

from shop_catalog.models import Offer
from shop_core.testing import HOSTILE_NUMBERS, nested_json
from shop_orders import services
from shop_orders.models import CartLine, Notification, Order, OrderPart, StatusChange

from . import factories
from .conftest import client_for, codes_of, errors_of

pytestmark = pytest.mark.django_db

LINES = "/api/v1/orders/cart/lines/"
CHECKOUT = "/api/v1/orders/checkout/"
ORDERS = "/api/v1/orders/orders/"
SUPPLIER = "/api/v1/orders/supplier/orders/"


@dataclass
class World:
    """A customer with one cart line and one placed order, and that order's supplier."""

    customer: Any
    supplier: Any
    offer: Offer
    line: CartLine
    order: Order
    part: OrderPart


@pytest.fixture
def world(customer, supplier_user, offer) -> World:
    order = factories.place_order(customer, [(offer, 1)])
    line = services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    return World(customer, supplier_user, offer, line, order, order.parts.get())


# endpoint -> (who calls it, method, url, a payload that would succeed)
ENDPOINTS = {
    "add line": ("customer", "post", lambda w: LINES, lambda w: {"offer": w.offer.pk}),
    "change line": (
        "customer",
        "patch",
        lambda w: f"{LINES}{w.line.pk}/",
        lambda w: {"quantity": 2},
    ),
    "checkout": (
        "customer",
        "post",
        lambda w: CHECKOUT,
        lambda w: {"address": dict(factories.ADDRESS), "email": "a@example.com", "comment": ""},
    ),
    "cancel": (
        "customer",
        "post",
        lambda w: f"{ORDERS}{w.order.pk}/cancel/",
        lambda w: {"comment": "changed my mind"},
    ),
    "move": (
        "supplier",
        "post",
        lambda w: f"{SUPPLIER}{w.part.pk}/status/",
        lambda w: {"status": "confirmed", "comment": "ok"},
    ),
}
TEXT_FIELDS = {
    "checkout": [
        *(f"address.{name}" for name in Order.ADDRESS_FIELDS),
        "address_id",
        "email",
        "comment",
    ],
    "cancel": ["comment"],
    "move": ["status", "comment"],
}
NUMBER_FIELDS = {"add line": ["offer", "quantity"], "change line": ["quantity"]}
HOSTILE_TEXTS = {"100k characters": "a" * 100_000, "NUL": "a\x00b"}


def state() -> tuple:
    """Everything a write endpoint here could change."""
    return (
        list(CartLine.objects.order_by("pk").values_list("offer_id", "quantity")),
        list(Order.objects.order_by("pk").values_list("pk", "status", "total", "comment")),
        list(OrderPart.objects.order_by("pk").values_list("pk", "status")),
        list(Offer.objects.order_by("pk").values_list("pk", "quantity")),
        StatusChange.objects.count(),
        Notification.objects.count(),
    )


def with_value(payload: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """``payload`` with the (dotted) ``path`` set to ``value``; the address_id case
    drops the inline address, as a client using it would."""
    payload = copy.deepcopy(payload)
    if path == "address_id":
        payload.pop("address")
    *parents, name = path.split(".")
    target = payload
    for parent in parents:
        target = target[parent]
    target[name] = value
    return payload


def call(world: World, endpoint: str, body: Any, *, raw: bool = False):
    who, method, url, _payload = ENDPOINTS[endpoint]
    client = client_for(world.customer if who == "customer" else world.supplier)
    data = body if raw else json.dumps(body)
    return getattr(client, method)(url(world), data, content_type="application/json")


def assert_refused_and_unchanged(world: World, endpoint: str, body: Any, **kwargs: Any):
    before = state()
    response = call(world, endpoint, body, **kwargs)
    assert 400 <= response.status_code < 500, (endpoint, response.status_code, response.content)
    assert state() == before
    return response


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_the_valid_payloads_do_succeed(world, endpoint):
    """So a refusal below is the hostile value's doing."""
    payload = ENDPOINTS[endpoint][3]
    before = state()
    response = call(world, endpoint, payload(world))
    assert response.status_code in (200, 201), response.content
    assert state() != before


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_json_nested_too_deep_is_400_too_deep(world, endpoint):
    response = assert_refused_and_unchanged(world, endpoint, nested_json(1000), raw=True)
    assert response.status_code == 400
    assert codes_of(response) == ["too_deep"]


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=HOSTILE_TEXTS.keys())
@pytest.mark.parametrize(
    ("endpoint", "field"),
    [(endpoint, field) for endpoint, fields in TEXT_FIELDS.items() for field in fields],
)
def test_hostile_text_is_refused(world, endpoint, field, text):
    body = with_value(ENDPOINTS[endpoint][3](world), field, text)
    response = assert_refused_and_unchanged(world, endpoint, body)
    assert response.status_code == 400


@pytest.mark.parametrize("number", HOSTILE_NUMBERS, ids=map(repr, HOSTILE_NUMBERS))
@pytest.mark.parametrize(
    ("endpoint", "field"),
    [(endpoint, field) for endpoint, fields in NUMBER_FIELDS.items() for field in fields],
)
def test_hostile_numbers_are_refused(world, endpoint, field, number):
    body = with_value(ENDPOINTS[endpoint][3](world), field, number)
    response = assert_refused_and_unchanged(world, endpoint, body)
    assert response.status_code == 400


def test_digits_of_other_scripts_in_a_quantity_are_refused(world):
    """Python's int() reads ``"٣"`` as 3; the shop's rule (shop_core) is ASCII digits in
    numbers and ids, so it is a 400 (an address's digits are made ASCII instead)."""
    response = assert_refused_and_unchanged(world, "change line", {"quantity": "٣"})
    assert errors_of(response) == [("quantity", "non_ascii_digits")]


@pytest.mark.parametrize("value", ["²", "3²", "Ⅲ"])
def test_digit_like_characters_that_are_not_digits_are_refused(world, value):
    assert_refused_and_unchanged(world, "change line", {"quantity": value})


@pytest.mark.parametrize(
    "params",
    [
        {"created_after": "9999-12-31"},
        {"created_before": "0001-01-01"},
        {"created_after": "0001-01-01", "created_before": "9999-12-31"},
    ],
)
@pytest.mark.parametrize("who_url", [("customer", ORDERS), ("supplier", SUPPLIER)])
def test_extreme_dates_in_the_lists_are_400_out_of_range(world, who_url, params):
    who, url = who_url
    client = client_for(world.customer if who == "customer" else world.supplier)
    response = client.get(url, params)
    assert response.status_code == 400
    assert codes_of(response) == ["out_of_range"]
