"""Filters of the order history:
``?status=new&status=sent&created_after=2025-01-01&created_before=2025-12-31&total_min=100&total_max=5000``."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from shop_orders.models import Order, Status


class OrderHistoryFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("status"))
    created = django_filters.DateFromToRangeFilter(label=_("placed between (dates, both included)"))
    total_min = django_filters.NumberFilter(
        field_name="total", lookup_expr="gte", label=_("total at least")
    )
    total_max = django_filters.NumberFilter(
        field_name="total", lookup_expr="lte", label=_("total at most")
    )

    class Meta:
        model = Order
        fields = ["status", "created", "total_min", "total_max"]
