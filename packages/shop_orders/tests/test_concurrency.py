"""Stock is never oversold: many customers check out the last units at once.

Needs PostgreSQL (SQLite serialises writers, so it proves nothing there):
``DATABASE_URL=postgres://... pytest -m postgres``.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from shop_catalog.models import Offer
from shop_orders import services
from shop_orders.exceptions import LinesUnavailable
from shop_orders.models import Order, OrderLine

from . import factories

CUSTOMERS = 50
STOCK = 10


@pytest.fixture
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


def _run_at_once(functions):
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(i, function):
        try:
            barrier.wait()
            results[i] = function()
        except Exception as exc:  # collected and asserted by the caller
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_checkouts_for_ten_units(_postgres_only):
    offer = factories.offer(quantity=STOCK, price="99.00")
    customers = [factories.user() for _ in range(CUSTOMERS)]
    for customer in customers:
        services.add_line(user=customer, offer_id=offer.pk, quantity=1)

    def checkout_for(customer):
        return lambda: services.checkout(user=customer, address=factories.ADDRESS)

    results = _run_at_once([checkout_for(c) for c in customers])

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

    results = _run_at_once([retry for _ in range(8)])

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

    results = _run_at_once([cancel for _ in range(6)])

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

    results = _run_at_once([add for _ in range(8)])

    assert all(isinstance(r, CartLine) for r in results), results
    assert CartLine.objects.get(cart__user=customer).quantity == 8
