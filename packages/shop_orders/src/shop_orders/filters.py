"""django-filter filter sets of the order lists."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Order, OrderPart, Status


class OrderFilter(django_filters.FilterSet):
    """``?status=new&status=sent&created_after=2025-01-01&created_before=...&total_min=&total_max=``"""

    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("status"))
    created = django_filters.DateFromToRangeFilter(label=_("created"))
    total_min = django_filters.NumberFilter(
        field_name="total", lookup_expr="gte", label=_("total at least")
    )
    total_max = django_filters.NumberFilter(
        field_name="total", lookup_expr="lte", label=_("total at most")
    )

    class Meta:
        model = Order
        fields = ["status", "created", "total_min", "total_max"]


class SupplierOrderFilter(django_filters.FilterSet):
    """``?status=new&shop=3&created_after=...&created_before=...``"""

    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("status"))
    shop = django_filters.NumberFilter(field_name="shop_id", label=_("shop"))
    created = django_filters.DateFromToRangeFilter(field_name="order__created", label=_("created"))

    class Meta:
        model = OrderPart
        fields = ["status", "shop", "created"]
