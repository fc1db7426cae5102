"""The state machine: transitions, history, cancel returning stock, signals."""

from __future__ import annotations

import pytest
from django.test import override_settings

from shop_catalog.models import Offer
from shop_orders import services
from shop_orders.exceptions import TransitionError
from shop_orders.models import Order, OrderPart, StatusChange
from shop_orders.services import overall_status
from shop_orders.signals import order_status_changed

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(customer, offer):
    return factories.place_order(customer, [(offer, 2)])


def walk(part, *statuses, by=None):
    for status in statuses:
        services.move_part(part=part, to_status=status, by=by)


def test_default_pipeline_records_every_change(order, supplier_user):
    part = order.parts.get()
    walk(part, "confirmed", "assembled", "sent", "delivered", by=supplier_user)
    order.refresh_from_db()
    assert order.status == "delivered"
    rows = list(
        StatusChange.objects.filter(part=part).values_list("from_status", "to_status", "by")
    )
    assert rows[1:] == [
        ("new", "confirmed", supplier_user.pk),
        ("confirmed", "assembled", supplier_user.pk),
        ("assembled", "sent", supplier_user.pk),
        ("sent", "delivered", supplier_user.pk),
    ]


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ((), "sent"),
        ((), "delivered"),
        (("confirmed", "assembled"), "canceled"),
        (("confirmed",), "new"),
        (("canceled",), "confirmed"),
        ((), "bogus"),
    ],
)
def test_disallowed_transition_changes_nothing(order, offer, path, target):
    part = order.parts.get()
    walk(part, *path)
    before_history = StatusChange.objects.count()
    before_stock = Offer.objects.get(pk=offer.pk).quantity
    status_before = OrderPart.objects.get(pk=part.pk).status
    with pytest.raises(TransitionError):
        services.move_part(part=part, to_status=target)
    assert OrderPart.objects.get(pk=part.pk).status == status_before
    assert StatusChange.objects.count() == before_history
    assert Offer.objects.get(pk=offer.pk).quantity == before_stock


def test_stale_part_object_cannot_move_twice(order, offer):
    part = order.parts.get()
    stale = OrderPart.objects.get(pk=part.pk)
    services.move_part(part=part, to_status="canceled")
    with pytest.raises(TransitionError):
        services.move_part(part=stale, to_status="canceled")
    assert Offer.objects.get(pk=offer.pk).quantity == 5  # returned once, not twice


def test_customer_cancel_returns_stock_of_every_part(customer, offer):
    other = factories.offer(quantity=4)
    order = factories.place_order(customer, [(offer, 2), (other, 4)])
    assert Offer.objects.get(pk=other.pk).quantity == 0
    changes = services.cancel_order(order=order, by=customer, comment="changed my mind")
    assert len(changes) == 2
    assert {c.comment for c in changes} == {"changed my mind"}
    order.refresh_from_db()
    assert order.status == "canceled"
    assert Offer.objects.get(pk=offer.pk).quantity == 5
    assert Offer.objects.get(pk=other.pk).quantity == 4


def test_customer_cannot_cancel_once_a_part_is_assembled(customer, offer):
    other = factories.offer(quantity=4)
    order = factories.place_order(customer, [(offer, 1), (other, 1)])
    parts = list(order.parts.order_by("pk"))
    walk(parts[0], "confirmed", "assembled")
    with pytest.raises(TransitionError) as exc:
        services.cancel_order(order=order, by=customer)
    assert exc.value.code == "not_cancelable"
    assert set(order.parts.values_list("status", flat=True)) == {"assembled", "new"}
    assert Offer.objects.get(pk=other.pk).quantity == 3


def test_overall_status_is_the_least_advanced_live_part():
    assert overall_status(["sent", "confirmed"]) == "confirmed"
    assert overall_status(["canceled", "sent"]) == "sent"
    assert overall_status(["canceled", "canceled"]) == "canceled"


def test_supplier_cancels_own_part_only(customer, offer):
    other = factories.offer(quantity=4)
    order = factories.place_order(customer, [(offer, 1), (other, 1)])
    mine = order.parts.get(shop=offer.shop)
    walk(order.parts.get(shop=other.shop), "confirmed")
    services.move_part(part=mine, to_status="canceled")
    order.refresh_from_db()
    assert order.status == "confirmed"
    assert Offer.objects.get(pk=offer.pk).quantity == 5
    assert Offer.objects.get(pk=other.pk).quantity == 3


def test_status_changed_signal(order, supplier_user):
    seen = []

    def receiver(sender, order, part, change, from_status, to_status, by, **kwargs):
        seen.append((order.status, part.pk, change.pk, from_status, to_status, by))

    order_status_changed.connect(receiver)
    try:
        part = order.parts.get()
        change = services.move_part(part=part, to_status="confirmed", by=supplier_user)
    finally:
        order_status_changed.disconnect(receiver)
    assert seen == [("confirmed", part.pk, change.pk, "new", "confirmed", supplier_user)]


@override_settings(
    SHOP_ORDERS={
        "STATUS_TRANSITIONS": {"new": ["sent", "canceled"], "sent": ["delivered"]},
        "CUSTOMER_CANCEL_STATUSES": ["new"],
    }
)
def test_transitions_are_a_setting(order):
    part = order.parts.get()
    with pytest.raises(TransitionError):
        services.move_part(part=part, to_status="confirmed")
    services.move_part(part=part, to_status="sent")
    assert Order.objects.get(pk=order.pk).status == "sent"
