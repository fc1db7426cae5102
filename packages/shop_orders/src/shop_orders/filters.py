"""django-filter filter sets of the order lists (``OrderFilter`` is public API).

Their 400s go through ``shop_core.filters.FilterBackend``, which keeps each
problem's code (``invalid_choice``, ``min_value``, ``max_digits``,
``out_of_range``, ``non_ascii_digits``, ...).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField

from shop_core.fields import MAX_ID
from shop_core.filters import BoundedDateField

from .models import Order, OrderPart, Status


class BoundedDateRangeField(DateRangeField):
    """``DateRangeField`` of two ``shop_core`` bounded days: ASCII digits, 1970-01-01 ..
    9000-12-31 (``out_of_range``), so a day's start and end exist in every time zone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = (BoundedDateField(), BoundedDateField())
        super(DateRangeField, self).__init__(fields, *args, **kwargs)


class DateRangeFilter(django_filters.DateFromToRangeFilter):
    """``?<name>_after=YYYY-MM-DD&<name>_before=YYYY-MM-DD``, both days included;
    errors are reported under ``<name>``."""

    field_class = BoundedDateRangeField


def amount_filter(lookup_expr: str, label: str) -> django_filters.NumberFilter:
    """A money bound on ``total``: not negative, at most 12 digits and 2 decimals."""
    return django_filters.NumberFilter(
        field_name="total",
        lookup_expr=lookup_expr,
        label=label,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )


class OrderFilter(django_filters.FilterSet):
    """``?status=new&status=sent&created_after=2025-01-01&created_before=...&total_min=&total_max=``"""

    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("status"))
    created = DateRangeFilter(label=_("created"))
    total_min = amount_filter("gte", _("total at least"))
    total_max = amount_filter("lte", _("total at most"))

    class Meta:
        model = Order
        fields = ["status", "created", "total_min", "total_max"]


class SupplierOrderFilter(django_filters.FilterSet):
    """``?status=new&shop=3&created_after=...&created_before=...``"""

    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("status"))
    shop = django_filters.NumberFilter(
        field_name="shop_id", label=_("shop"), min_value=1, max_value=MAX_ID, decimal_places=0
    )
    created = DateRangeFilter(field_name="order__created", label=_("created"))

    class Meta:
        model = OrderPart
        fields = ["status", "shop", "created"]
