"""Stock is never oversold: many customers check out the last units at once.

Needs PostgreSQL (SQLite serialises writers, so it proves nothing there):
``DATABASE_URL=postgres://... pytest -m postgres``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from shop_catalog.models import Offer
from shop_core.testing import run_at_once
from shop_orders import services
from shop_orders.exceptions import CheckoutError, ExternalItemTaken, LinesUnavailable
from shop_orders.models import Order, OrderLine

from . import factories

CUSTOMERS = 50
STOCK = 10


@pytest.fixture
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_checkouts_for_ten_units(_postgres_only):
    offer = factories.offer(quantity=STOCK, price="99.00")
    customers = [factories.user() for _ in range(CUSTOMERS)]
    for customer in customers:
        services.add_line(user=customer, offer_id=offer.pk, quantity=1)

    def checkout_for(customer):
        return lambda: services.checkout(user=customer, address=factories.ADDRESS)

    results = run_at_once([checkout_for(c) for c in customers])

    placed = [r for r in results if isinstance(r, services.CheckoutResult)]
    refused = [r for r in results if isinstance(r, LinesUnavailable)]
    unexpected = [r for r in results if r not in placed and r not in refused]
    assert unexpected == []
    assert len(placed) == STOCK
    assert len(refused) == CUSTOMERS - STOCK
    assert all(r.lines[0]["problem"] == "out_of_stock" for r in refused)
    assert Offer.objects.get(pk=offer.pk).quantity == 0
    assert Order.objects.count() == STOCK
    assert sum(OrderLine.objects.values_list("quantity", flat=True)) == STOCK


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_key_make_one_order(_postgres_only):
    offer = factories.offer(quantity=STOCK)
    customer = factories.user()
    services.add_line(user=customer, offer_id=offer.pk, quantity=2)

    def retry():
        return services.checkout(user=customer, address=factories.ADDRESS, idempotency_key="k1")

    results = run_at_once([retry for _ in range(8)])

    assert all(isinstance(r, services.CheckoutResult) for r in results), results
    assert len({r.order.pk for r in results}) == 1
    assert sum(r.created for r in results) == 1
    assert Order.objects.count() == 1
    assert Offer.objects.get(pk=offer.pk).quantity == STOCK - 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancels_return_stock_once(_postgres_only):
    offer = factories.offer(quantity=STOCK)
    customer = factories.user()
    order = factories.place_order(customer, [(offer, 3)])

    def cancel():
        return services.cancel_order(order=Order.objects.get(pk=order.pk), by=customer)

    results = run_at_once([cancel for _ in range(6)])

    assert sum(isinstance(r, list) for r in results) == 1, results
    assert Offer.objects.get(pk=offer.pk).quantity == STOCK


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_adds_of_one_offer_make_one_line(_postgres_only):
    from shop_orders.models import CartLine

    offer = factories.offer(quantity=100)
    customer = factories.user()
    services.get_cart(user=customer)

    def add():
        return services.add_line(user=customer, offer_id=offer.pk, quantity=1)

    results = run_at_once([add for _ in range(8)])

    assert all(isinstance(r, CartLine) for r in results), results
    assert CartLine.objects.get(cart__user=customer).quantity == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "keys", [[""] * 10, [f"key-{n}" for n in range(10)]], ids=["no key", "ten keys"]
)
def test_one_cart_becomes_one_order_however_many_checkouts_race(_postgres_only, keys):
    offer = factories.offer(quantity=STOCK)
    customer = factories.user()
    services.add_line(user=customer, offer_id=offer.pk, quantity=1)

    def checkout_with(key):
        return lambda: services.checkout(
            user=customer, address=factories.ADDRESS, idempotency_key=key
        )

    results = run_at_once([checkout_with(key) for key in keys])

    placed = [r for r in results if isinstance(r, services.CheckoutResult)]
    refused = [r for r in results if isinstance(r, CheckoutError)]
    assert len(placed) == 1 and placed[0].created, results
    assert len(refused) == len(keys) - 1, results
    assert {(r.code, r.status_code) for r in refused} == {("empty_cart", 409)}
    assert Order.objects.count() == 1
    assert Offer.objects.get(pk=offer.pk).quantity == STOCK - 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_of_two_parts_leave_the_right_order_status(_postgres_only):
    """Two suppliers confirm their parts of one order at once: the order is confirmed."""
    customer = factories.user()
    offers = [factories.offer(quantity=STOCK) for _ in range(2)]
    for _round in range(3):
        order = factories.place_order(customer, [(offer, 1) for offer in offers])
        parts = list(order.parts.all())

        def confirm(part):
            return lambda: services.move_part(part=part, to_status="confirmed")

        results = run_at_once([confirm(part) for part in parts])

        assert not [r for r in results if isinstance(r, Exception)], results
        assert Order.objects.get(pk=order.pk).status == "confirmed"


class SlowNotifier:
    """Takes its time, so concurrent senders overlap; records what it sent."""

    sent: list = []

    def order_placed(self, order):
        import time

        time.sleep(0.2)
        self.sent.append(order.pk)

    def shop_order_placed(self, part):
        pass

    def status_changed(self, change):
        pass


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_send_a_message_once(_postgres_only, settings, monkeypatch):
    from shop_orders import tasks
    from shop_orders.models import Notification
    from shop_orders.services.notifications import deliver

    settings.SHOP_ORDERS = {"NOTIFIER": "tests.test_concurrency.SlowNotifier"}
    SlowNotifier.sent.clear()
    monkeypatch.setattr(tasks, "enqueue_notifications", lambda ids: None)  # leave the rows unsent
    order = factories.place_order(factories.user(), [(factories.offer(), 1)])
    assert SlowNotifier.sent == []
    row = Notification.objects.get(event="order_placed")

    results = run_at_once([lambda: deliver(row.pk)] * 4)

    assert SlowNotifier.sent == [order.pk]
    assert sorted(results) == [False, False, False, True], results
    assert Notification.objects.get(pk=row.pk).sent_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_of_one_external_item_make_one_order(_postgres_only):
    """Two callers (say, two payments of one booking) at once: one order holds it."""
    item = services.ExternalItem(
        source="shop_bookings.booking", reference="42", title="Massage", price=Decimal("3000.00")
    )
    customers = [factories.user() for _ in range(2)]

    def order_for(customer):
        return lambda: services.order_external_items(customer, [item])

    results = run_at_once([order_for(c) for c in customers])

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, ExternalItemTaken)]
    assert len(placed) == 1 and len(refused) == 1, results
    assert Order.objects.count() == 1
    assert OrderLine.objects.filter(reference="42").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_external_orders_with_one_key_make_one_order(_postgres_only):
    item = services.ExternalItem(
        source="shop_bookings.booking", reference="43", title="Massage", price=Decimal("3000.00")
    )
    customer = factories.user()

    def retry():
        return services.order_external_items(customer, [item], idempotency_key="pay-43")

    results = run_at_once([retry for _ in range(6)])

    assert all(isinstance(r, Order) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Order.objects.count() == 1
