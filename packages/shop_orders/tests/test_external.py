"""Orders of items sold outside the catalogue (``services.external``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from shop_catalog.models import Offer
from shop_core.idempotency import IdempotencyKeyReused
from shop_orders import services
from shop_orders.exceptions import ExternalItemError, ExternalItemTaken, TransitionError
from shop_orders.models import Notification, Order, OrderLine, OrderPart, Status
from shop_orders.services.external import ExternalItem, cancel_external, order_external_items
from shop_orders.signals import external_item_canceled

from . import factories

pytestmark = pytest.mark.django_db
SOURCE = "shop_bookings.booking"
ORDERS = "/api/v1/orders/orders/"


def booking(reference: str = "7", price: str = "1500.00", **kwargs: Any) -> ExternalItem:
    return ExternalItem(
        source=SOURCE, reference=reference, title="Haircut", price=Decimal(price), **kwargs
    )


@pytest.fixture
def canceled_items() -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        seen.append(kwargs)

    external_item_canceled.connect(listener, dispatch_uid="test_external")
    yield seen
    external_item_canceled.disconnect(dispatch_uid="test_external")


def test_an_external_order_is_numbered_totalled_and_takes_no_stock(customer, offer, api):
    order = order_external_items(customer, [booking(), booking("8", "250.50", quantity=2)])

    assert order.number and order.status == Status.NEW
    assert order.total == Decimal("2001.00") and order.email == "alice@example.com"
    part = OrderPart.objects.get(order=order)
    assert part.shop is None and part.total == Decimal("2001.00")
    lines = OrderLine.objects.filter(order=order).order_by("pk")
    assert [(line.offer, line.source, line.reference, line.quantity) for line in lines] == [
        (None, SOURCE, "7", 1),
        (None, SOURCE, "8", 2),
    ]
    assert Offer.objects.get(pk=offer.pk).quantity == 5
    listed = api.get(ORDERS).json()["results"]
    assert [row["number"] for row in listed] == [order.number]
    line = listed[0]["parts"][0]["lines"][1]
    assert (line["offer"], line["source"], line["reference"], line["total"]) == (
        None,
        SOURCE,
        "8",
        "501.00",
    )
    assert api.get(f"{ORDERS}{order.pk}/").json()["can_cancel"] is True


def test_suppliers_never_see_external_items(customer, offer, supplier_api):
    order_external_items(customer, [booking()])
    factories.place_order(customer, [(offer, 1)])
    results = supplier_api.get("/api/v1/orders/supplier/orders/").json()["results"]
    assert [row["lines"][0]["offer"] for row in results] == [offer.pk]


def test_only_the_customer_is_notified(customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_external_items(customer, [booking()])
    assert list(Notification.objects.values_list("event", flat=True)) == ["order_placed"]
    assert [message.to for message in mail.outbox] == [["alice@example.com"]]
    assert order.number in mail.outbox[0].subject + mail.outbox[0].body
    assert "Haircut" in mail.outbox[0].body


def test_the_same_key_gives_the_same_order(customer):
    first = order_external_items(customer, [booking()], idempotency_key="pay-7")
    again = order_external_items(customer, [booking()], idempotency_key="pay-7")
    assert again.pk == first.pk and Order.objects.count() == 1
    with pytest.raises(IdempotencyKeyReused):
        order_external_items(customer, [booking(price="1.00")], idempotency_key="pay-7")


def test_an_item_is_held_by_one_live_order(customer, other_user, canceled_items):
    order_external_items(customer, [booking()])
    with pytest.raises(ExternalItemTaken) as taken:
        order_external_items(other_user, [booking(), booking("9")])
    assert (taken.value.code, taken.value.status_code) == ("already_ordered", 409)
    assert Order.objects.count() == 1  # nothing of the refused call was written


def test_canceling_releases_the_item_and_tells_on_commit(
    customer, canceled_items, django_capture_on_commit_callbacks
):
    order = order_external_items(customer, [booking(), booking("8")])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        canceled = cancel_external(SOURCE, "8")
    assert canceled.pk == order.pk and canceled.status == Status.CANCELED
    assert canceled_items == []  # not before the commit
    for callback in callbacks:
        callback()
    assert sorted((item["source"], item["reference"]) for item in canceled_items) == [
        (SOURCE, "7"),
        (SOURCE, "8"),
    ]
    assert all(item["order"].pk == order.pk for item in canceled_items)
    again = order_external_items(customer, [booking()])  # released: may be ordered again
    assert again.pk != order.pk


@pytest.mark.parametrize("path", ["customer", "manager"])
def test_every_cancel_path_tells(
    path, customer, api, admin_user, canceled_items, django_capture_on_commit_callbacks
):
    order = order_external_items(customer, [booking()])
    with django_capture_on_commit_callbacks(execute=True):
        if path == "customer":
            assert api.post(f"{ORDERS}{order.pk}/cancel/", {}, format="json").status_code == 200
        else:
            services.move_part(part=order.parts.get(), to_status=Status.CANCELED, by=admin_user)
    assert [(item["reference"], item["order"].status) for item in canceled_items] == [
        ("7", Status.CANCELED)
    ]


def test_a_catalogue_cancel_tells_nothing(customer, offer, canceled_items):
    order = factories.place_order(customer, [(offer, 2)])
    services.cancel_order(order=order, by=customer)
    assert canceled_items == []
    assert Offer.objects.get(pk=offer.pk).quantity == 5


def test_cancel_external_follows_the_one_cancel_rule(customer, canceled_items):
    assert cancel_external(SOURCE, "404") is None
    order = order_external_items(customer, [booking()])
    part = order.parts.get()
    services.move_part(part=part, to_status=Status.CONFIRMED)
    services.move_part(part=part, to_status=Status.ASSEMBLED)
    with pytest.raises(TransitionError) as late:
        cancel_external(SOURCE, "7")
    assert late.value.code == "not_cancelable"
    fresh = order_external_items(customer, [booking("8")])
    cancel_external(SOURCE, "8")
    with pytest.raises(TransitionError) as again:
        cancel_external(SOURCE, "8")
    assert again.value.code == "already_canceled"
    assert Order.objects.get(pk=fresh.pk).status == Status.CANCELED


@pytest.mark.parametrize(
    ("items", "code"),
    [
        ([], "no_items"),
        ([booking(reference="")], "invalid_item"),
        ([ExternalItem(source="", reference="1", title="x", price=Decimal(1))], "invalid_item"),
        ([ExternalItem(source=SOURCE, reference="1", title=" ", price=Decimal(1))], "invalid_item"),
        ([booking(reference="x" * 101)], "invalid_item"),
        ([booking(price="-1")], "invalid_price"),
        ([booking(price="1.005")], "invalid_price"),
        (
            [ExternalItem(source=SOURCE, reference="1", title="x", price=float("nan"))],
            "invalid_price",
        ),
        ([booking(quantity=0)], "invalid_quantity"),
        ([booking(quantity=True)], "invalid_quantity"),
        ([booking(quantity=10_001)], "quantity_too_large"),
        ([booking(), booking()], "duplicate_item"),
        ([booking(price="9999999999.99"), booking("8", price="0.01")], "amount_too_large"),
        ([booking(price="10000000000.00")], "amount_too_large"),
    ],
)
def test_bad_items_are_refused_with_a_code(customer, items, code):
    with pytest.raises(ExternalItemError) as refused:
        order_external_items(customer, items)
    assert refused.value.code == code and refused.value.status_code == 400
    assert not Order.objects.exists()


def test_a_line_has_either_an_offer_or_an_external_item(customer, offer):
    order = factories.place_order(customer, [(offer, 1)])
    line = order.lines.get()
    for change in ({"source": SOURCE, "reference": "1"}, {"offer": None}):
        with pytest.raises(IntegrityError), transaction.atomic():
            OrderLine.objects.filter(pk=line.pk).update(**change)


def test_the_admin_shows_an_external_order(admin_client, customer):
    order = order_external_items(customer, [booking()])
    page = admin_client.get(f"/admin/shop_orders/order/{order.pk}/change/")
    assert page.status_code == 200 and SOURCE in page.content.decode()
    assert admin_client.get("/admin/shop_orders/orderpart/").status_code == 200
