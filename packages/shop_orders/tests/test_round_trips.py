"""What the hot writes cost in queries: checkout, add to cart, sending a notification.

Checkout answers from what it wrote (no re-read), and that answer is the one
a later read of the order gives.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop_orders.models import Notification
from shop_orders.services.notifications import deliver

from . import factories
from .factories import ADDRESS

pytestmark = pytest.mark.django_db
CHECKOUT = "/api/v1/orders/checkout/"
LINES = "/api/v1/orders/cart/lines/"


def test_checkout_answer_is_the_order_as_read_later_and_reads_nothing_back(api, customer, offer):
    other = factories.offer(price="99.90", quantity=3)  # another shop: two parts
    api.post(LINES, {"offer": offer.pk, "quantity": 2}, format="json")
    api.post(LINES, {"offer": other.pk, "quantity": 1}, format="json")
    with CaptureQueriesContext(connection) as queries:
        response = api.post(CHECKOUT, {"address": ADDRESS}, format="json")
    sql = [query["sql"] for query in queries]  # read before the next request resets the log
    assert response.status_code == 201
    body = response.json()
    assert body == api.get(f"/api/v1/orders/orders/{body['id']}/").json()
    assert len(body["parts"]) == 2 and len(body["history"]) == 2
    assert not [q for q in sql if q.startswith("SELECT") and "shop_orders_orderline" in q]
    # savepoint, cart lock, lines; order, number; stock x2; parts, lines, history;
    # emptying the cart; the outbox rows; release
    assert len(sql) == 13


def test_adding_reads_the_offer_once_and_the_cart_once(api, customer, offer):
    api.post(LINES, {"offer": factories.offer().pk, "quantity": 1}, format="json")
    with CaptureQueriesContext(connection) as queries:
        response = api.post(LINES, {"offer": offer.pk, "quantity": 2}, format="json")
    count = len(queries)
    assert response.status_code == 201
    assert [line["quantity"] for line in response.json()["lines"]] == [1, 2]
    assert response.json() == api.get("/api/v1/orders/cart/").json()
    # the offer; savepoint, cart lock, the lines with offers, the insert, release
    assert count == 6


@pytest.mark.parametrize("event", ["order_placed", "shop_order_placed"])
def test_sending_a_placed_order_notification(customer, offer, event):
    factories.place_order(customer, [(offer, 1)])
    row = Notification.objects.get(event=event)
    with CaptureQueriesContext(connection) as queries:
        assert deliver(row.pk)
    # claim; the row with its order or part; parts and lines (or staff and lines); sent
    assert len(queries) == 5
