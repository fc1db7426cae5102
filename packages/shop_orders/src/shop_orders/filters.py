"""django-filter filter sets of the order lists (``OrderFilter`` is public API)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField

from .models import Order, OrderPart, Status

# A day's start and end exist in UTC whatever the site's time zone: the day
# before date.max in a zone west of UTC would end in year 10000 (a 500).
FIRST_DAY = date.min + timedelta(days=1)
LAST_DAY = date.max - timedelta(days=1)


class BoundedDateRangeField(DateRangeField):
    """``DateRangeField`` that refuses dates a time-zone shift would push out of range."""

    def compress(self, data_list: Any) -> Any:
        for value in data_list or ():
            if value and not FIRST_DAY <= value <= LAST_DAY:
                raise ValidationError(
                    _("Enter a date between %(first)s and %(last)s."),
                    code="out_of_range",
                    params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
                )
        return super().compress(data_list)


class DateRangeFilter(django_filters.DateFromToRangeFilter):
    """``?<name>_after=YYYY-MM-DD&<name>_before=YYYY-MM-DD``, both days included."""

    field_class = BoundedDateRangeField


def amount_filter(lookup_expr: str, label: Any) -> django_filters.NumberFilter:
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
        field_name="shop_id", label=_("shop"), min_value=1, max_value=2**63 - 1, decimal_places=0
    )
    created = DateRangeFilter(field_name="order__created", label=_("created"))

    class Meta:
        model = OrderPart
        fields = ["status", "shop", "created"]
