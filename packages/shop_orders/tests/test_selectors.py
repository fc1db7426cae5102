"""The public read selectors: figures a dashboard shows, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from shop_orders import services
from shop_orders.models import ADDRESS_FIELDS, OPEN_STATUSES, Order, Status
from shop_orders.selectors import last_order, monthly_totals, order_stats

from . import factories

ZERO = Decimal("0.00")


def test_address_fields_and_open_statuses_are_public():
    assert Order.ADDRESS_FIELDS is ADDRESS_FIELDS
    assert ADDRESS_FIELDS == (
        "recipient",
        "phone",
        "city",
        "street",
        "building",
        "apartment",
        "postal_code",
    )
    assert set(OPEN_STATUSES) == set(Status.values) - {"delivered", "canceled"}


@pytest.mark.django_db
def test_stats_in_one_query(customer, offer, django_assert_num_queries):
    a = factories.place_order(customer, [(offer, 1)])
    factories.place_order(customer, [(offer, 2)])
    services.cancel_order(order=a, by=customer)
    with django_assert_num_queries(1):
        stats = order_stats(customer)
    assert stats["count"] == 2
    assert stats["by_status"]["canceled"] == 1 and stats["by_status"]["new"] == 1
    assert stats["by_status"]["sent"] == 0
    assert stats["total_spent"] == Decimal("500.00")
    assert stats["month_total"] == Decimal("500.00")
    assert stats["open_total"] == Decimal("500.00")
    assert stats["open_count"] == 1
    assert stats["average_total"] == Decimal("500.00")
    assert stats["last_order_at"] is not None


@pytest.mark.django_db
def test_stats_query_count_does_not_grow_with_orders(customer, offer, django_assert_num_queries):
    offer.quantity = 100
    offer.save()
    for _ in range(6):
        factories.place_order(customer, [(offer, 1)])
    with django_assert_num_queries(1):
        assert order_stats(customer)["count"] == 6
    with django_assert_num_queries(1):
        assert sum(m["count"] for m in monthly_totals(customer, months=24)) == 6


@pytest.mark.django_db
def test_open_figures_leave_out_delivered_and_canceled(customer, offer, supplier_user):
    offer.quantity = 100
    offer.save()
    delivered = factories.place_order(customer, [(offer, 1)])  # 250
    part = delivered.parts.get()
    for status in ("confirmed", "assembled", "sent", "delivered"):
        services.move_part(part=part, to_status=status, by=supplier_user)
        part.refresh_from_db()
    sent = factories.place_order(customer, [(offer, 2)])  # 500
    part = sent.parts.get()
    for status in ("confirmed", "assembled", "sent"):
        services.move_part(part=part, to_status=status, by=supplier_user)
        part.refresh_from_db()
    canceled = factories.place_order(customer, [(offer, 4)])  # 1000
    services.cancel_order(order=canceled, by=customer)
    factories.place_order(customer, [(offer, 3)])  # 750, new
    stats = order_stats(customer)
    assert (stats["open_total"], stats["open_count"]) == (Decimal("1250.00"), 2)
    assert stats["total_spent"] == Decimal("1500.00")
    assert stats["average_total"] == Decimal("500.00")
    assert stats["by_status"] == {
        "new": 1,
        "confirmed": 0,
        "assembled": 0,
        "sent": 1,
        "delivered": 1,
        "canceled": 1,
    }


@pytest.mark.django_db
def test_month_total_is_the_calendar_month_of_now(customer, offer):
    order = factories.place_order(customer, [(offer, 1)])
    now = timezone.now()
    last_month = (now.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
    Order.objects.filter(pk=order.pk).update(created=last_month)
    assert order_stats(customer)["month_total"] == ZERO
    assert order_stats(customer, now=last_month)["month_total"] == Decimal("250.00")


@pytest.mark.django_db
def test_no_orders_and_anonymous(customer, django_assert_num_queries):
    stats = order_stats(customer)
    assert (stats["count"], stats["total_spent"], stats["average_total"]) == (0, ZERO, None)
    assert (stats["open_total"], stats["open_count"], stats["month_total"]) == (ZERO, 0, ZERO)
    assert [m["count"] for m in monthly_totals(customer, months=3)] == [0, 0, 0]
    assert last_order(customer) is None
    with django_assert_num_queries(0):
        assert order_stats(AnonymousUser())["by_status"]["new"] == 0
        assert [m["total"] for m in monthly_totals(AnonymousUser(), months=2)] == [ZERO, ZERO]
        assert last_order(AnonymousUser()) is None


@pytest.mark.django_db
def test_monthly_totals_in_one_query(customer, offer, django_assert_num_queries):
    now = timezone.now()
    old = factories.place_order(customer, [(offer, 1)])
    factories.place_order(customer, [(offer, 2)])
    canceled = factories.place_order(customer, [(offer, 1)])
    services.cancel_order(order=canceled, by=customer)
    last_month = (now.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
    Order.objects.filter(pk=old.pk).update(created=last_month)
    ancient = now - dt.timedelta(days=800)
    factories.offer()  # unrelated
    Order.objects.filter(pk=canceled.pk).update(created=ancient)
    with django_assert_num_queries(1):
        months = monthly_totals(customer, months=3)
    assert [m["month"] for m in months][-1] == timezone.localdate().replace(day=1)
    assert [(m["count"], m["total"]) for m in months] == [
        (0, ZERO),
        (1, Decimal("250.00")),
        (1, Decimal("500.00")),
    ]
    # ``now`` moves the window; at least one month is returned
    back = monthly_totals(customer, months=1, now=last_month)
    assert [(m["month"], m["count"]) for m in back] == [(last_month.date().replace(day=1), 1)]
    assert len(monthly_totals(customer, months=0)) == 1


@pytest.mark.django_db
def test_months_follow_the_current_time_zone(customer, offer, settings):
    settings.TIME_ZONE = "Asia/Vladivostok"  # UTC+10
    order = factories.place_order(customer, [(offer, 1)])
    # 2024-02-29 20:00 UTC is already 1 March in Vladivostok
    created = dt.datetime(2024, 2, 29, 20, 0, tzinfo=dt.timezone.utc)
    Order.objects.filter(pk=order.pk).update(created=created)
    now = dt.datetime(2024, 3, 10, tzinfo=ZoneInfo("Asia/Vladivostok"))
    months = monthly_totals(customer, months=2, now=now)
    assert [(m["month"], m["count"]) for m in months] == [
        (dt.date(2024, 2, 1), 0),
        (dt.date(2024, 3, 1), 1),
    ]
    assert order_stats(customer, now=now)["month_total"] == Decimal("250.00")


@pytest.mark.django_db
def test_last_order_in_one_query(customer, offer, django_assert_num_queries):
    factories.place_order(customer, [(offer, 1)])
    newest = factories.place_order(customer, [(offer, 1)])
    with django_assert_num_queries(1):
        assert last_order(customer) == newest
