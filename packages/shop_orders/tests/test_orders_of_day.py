"""``selectors.orders_of_day``: the day's orders of every customer, for staff pages."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop_orders import selectors, services
from shop_orders.models import Order

from . import factories

pytestmark = pytest.mark.django_db


def test_counts_sums_and_lists_the_days_orders_of_every_customer(
    customer, other_user, django_assert_num_queries
):
    first = factories.place_order(customer, [(factories.offer(price="100.00"), 2)])
    second = factories.place_order(other_user, [(factories.offer(price="30.00"), 1)])
    canceled = factories.place_order(customer, [(factories.offer(price="999.00"), 1)])
    services.cancel_order(order=canceled, by=customer)
    yesterday = factories.place_order(other_user, [(factories.offer(price="7.00"), 1)])
    Order.objects.filter(pk=yesterday.pk).update(created=timezone.now() - timedelta(days=1))

    with django_assert_num_queries(2):
        day = selectors.orders_of_day(latest=2)

    assert day["day"] == timezone.localdate()
    assert (day["count"], day["canceled"]) == (3, 1)
    assert day["total"] == Decimal("230.00")  # the canceled order is not money
    assert day["latest"] == [canceled, second]
    assert day["latest"][1].user == other_user
    assert first not in day["latest"]


def test_a_day_is_the_current_time_zones_calendar_day(customer, settings):
    settings.TIME_ZONE = "Asia/Vladivostok"  # UTC+10
    order = factories.place_order(customer, [(factories.offer(price="5.00"), 1)])
    local = datetime(2026, 3, 10, 0, 30)  # half past midnight there: the 9th in UTC
    Order.objects.filter(pk=order.pk).update(created=timezone.make_aware(local))

    assert selectors.orders_of_day(local.date())["latest"] == [order]
    assert selectors.orders_of_day(local.date() - timedelta(days=1))["count"] == 0


def test_a_day_without_orders(customer):
    day = selectors.orders_of_day(timezone.localdate() - timedelta(days=3))
    assert (day["count"], day["total"], day["canceled"], day["latest"]) == (
        0,
        Decimal("0.00"),
        0,
        [],
    )
