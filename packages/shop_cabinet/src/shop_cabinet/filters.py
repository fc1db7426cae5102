"""Filters of the order history: shop_orders' own ``OrderFilter`` (its public API),
so both order lists take the same parameters:
``?status=new&status=sent&created_after=2025-01-01&created_before=2025-12-31&total_min=100&total_max=5000``.

The cabinet holds the dates to the shop-wide bounds (``shop_core.bounds``: years
1970-9000); a date outside is a 400 on ``created`` with code ``out_of_range``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField

from shop_core.bounds import validate_date_bounds
from shop_orders.filters import OrderFilter


class BoundedDateRangeField(DateRangeField):
    """``DateRangeField`` refusing days outside 1970-9000 (code ``out_of_range``)."""

    def compress(self, data_list: Any) -> Any:
        for value in data_list or ():
            if value:
                validate_date_bounds(value)
        return super().compress(data_list)


class BoundedDateFromToRangeFilter(django_filters.DateFromToRangeFilter):
    """``?<name>_after=YYYY-MM-DD&<name>_before=YYYY-MM-DD``, both days included."""

    field_class = BoundedDateRangeField


class OrderHistoryFilter(OrderFilter):
    created = BoundedDateFromToRangeFilter(label=_("created"))
