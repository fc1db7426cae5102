"""The admin's order list: totals and item counts, state filters, number search, dates,
and a constant number of queries."""

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shop_orders import services
from shop_orders.models import Order, Status

from . import factories

pytestmark = pytest.mark.django_db


def changelist(admin_client: Any, **params: Any) -> list[Order]:
    response = admin_client.get(reverse("admin:shop_orders_order_changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


@pytest.fixture
def two_shop_order(customer: Any) -> Order:
    one, two = factories.shop("One"), factories.shop("Two")
    return factories.place_order(
        customer,
        [
            (factories.offer(shop_obj=one, price="100.00"), 2),
            (factories.offer(shop_obj=one, price="5.00"), 1),
            (factories.offer(shop_obj=two, price="40.00"), 3),
        ],
    )


def test_orders_show_total_and_items(admin_client, two_shop_order):
    [row] = changelist(admin_client)
    assert row.item_count == 6
    assert str(row.total) == "325.00"
    page = admin_client.get(reverse("admin:shop_orders_order_changelist")).content.decode()
    assert two_shop_order.number in page


def test_a_shop_filter_does_not_multiply_the_items(admin_client, two_shop_order):
    shop = two_shop_order.parts.get(shop_name="One").shop
    [row] = changelist(admin_client, parts__shop__id__exact=shop.pk)
    assert row.item_count == 6


def test_filters_by_order_status_and_by_a_part_status(admin_client, two_shop_order, customer):
    other = factories.place_order(customer, [(factories.offer(), 1)])
    part = two_shop_order.parts.get(shop_name="Two")
    services.move_part(part=part, to_status=Status.CANCELED)

    assert changelist(admin_client, status="new") == [other, two_shop_order]
    assert changelist(admin_client, part_status="canceled") == [two_shop_order]
    assert changelist(admin_client, part_status="delivered") == []


def test_search_by_number_and_date_hierarchy(admin_client, two_shop_order, customer):
    other = factories.place_order(customer, [(factories.offer(), 1)])
    assert changelist(admin_client, q=two_shop_order.number) == [two_shop_order]
    last_year = timezone.now() - timedelta(days=400)
    Order.objects.filter(pk=other.pk).update(created=last_year)
    assert changelist(admin_client, created__year=last_year.year) == [other]


def queries_for_list(admin_client: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        changelist(admin_client)
    return len(captured)


def test_order_list_queries_do_not_grow_with_rows(admin_client, customer, other_user):
    factories.place_order(customer, [(factories.offer(), 1)])
    few = queries_for_list(admin_client)
    for n in range(8):
        buyer = customer if n % 2 else other_user
        factories.place_order(buyer, [(factories.offer(), 1), (factories.offer(), 2)])
    assert queries_for_list(admin_client) == few
