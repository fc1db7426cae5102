"""django-filter filter sets of the order lists (``OrderFilter`` is public API)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.fields import DateRangeField
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request

from shop_core.bounds import validate_date_bounds

from .models import Order, OrderPart, Status


class BoundedDateRangeField(DateRangeField):
    """``DateRangeField`` refusing days outside 1970-01-01 .. 9000-12-31 (``out_of_range``).

    Inside those years a day's start and end exist in every time zone.
    """

    def compress(self, data_list: Any) -> Any:
        for value in data_list or ():
            if value:
                validate_date_bounds(value)
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


class OrdersFilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` whose 400 also names the code of the first problem.

    ``{"created": ["Dates must lie between ..."], "code": "out_of_range"}``:
    the package's error shape (field errors plus a machine-readable code).
    """

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            exc = translate_validation(filterset.errors)
            first = next(iter(filterset.errors.as_data().values()))[0]
            exc.detail["code"] = ErrorDetail(first.code or "invalid", code=first.code)
            raise exc
        return filterset.qs
