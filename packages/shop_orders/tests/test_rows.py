"""The plain-row order dicts equal what the DRF serializers give, field for field."""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework import serializers

from shop_orders import rows, selectors, services
from shop_orders.models import Order, Status
from shop_orders.serializers import OrderDetailSerializer, OrderSerializer

from . import factories


def _drf(serializer_class: type, order: Order) -> dict:
    """The serializer's output through DRF's own field machinery."""
    return dict(serializers.ModelSerializer.to_representation(serializer_class(), order))


@pytest.fixture
def orders(customer, shop, offer):
    other_shop = factories.shop("Alpha")
    second = factories.offer(shop_obj=other_shop, price="1234567.89", quantity=9)
    mixed = factories.place_order(customer, [(offer, 2), (second, 3)], comment="call first")
    services.move_part(part=mixed.parts.get(shop=other_shop), to_status=Status.CANCELED)
    plain = factories.place_order(customer, [(offer, 1)])
    services.move_part(part=plain.parts.get(), to_status=Status.CONFIRMED)
    services.move_part(part=plain.parts.get(), to_status=Status.ASSEMBLED)
    return [mixed, plain]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru"])
def test_rows_equal_the_serializers(customer, orders, language, settings):
    settings.TIME_ZONE = "Europe/Moscow"
    with translation.override(language):
        instances = list(selectors.orders_of(customer))
        expected = [_drf(OrderSerializer, order) for order in instances]
        values = selectors.orders_of(customer).prefetch_related(None)
        assert rows.order_dicts(list(values.values_list(*rows.ORDER_COLUMNS))) == expected
        assert [OrderSerializer(order).data for order in instances] == expected
        assert [order["can_cancel"] for order in expected] == [False, True]  # newest first
        detail = selectors.order_detail(user=customer, pk=orders[0].pk)
        assert OrderDetailSerializer(detail).data == _drf(OrderDetailSerializer, detail)


@pytest.mark.django_db
def test_rows_of_no_orders_run_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows.order_dicts([]) == []


@pytest.mark.django_db
def test_a_subclass_keeps_the_fields_it_adds(customer, orders):
    class WithCount(OrderDetailSerializer):
        lines_count = serializers.SerializerMethodField()

        class Meta(OrderDetailSerializer.Meta):
            fields = [*OrderDetailSerializer.Meta.fields, "lines_count"]

        def get_lines_count(self, order: Order) -> int:
            return sum(len(part.lines.all()) for part in order.parts.all())

    detail = selectors.order_detail(user=customer, pk=orders[0].pk)
    data = WithCount(detail).data
    assert data["lines_count"] == 2
    assert {key: value for key, value in data.items() if key != "lines_count"} == (
        OrderDetailSerializer(detail).data
    )
