"""django-filter filter sets of the catalogue, services and bookings.

Dates are bounded (years 1970-9000, ``out_of_range``) by shop_core's filters;
the views use ``shop_core.filters.FilterBackend``, whose 400 keeps each code.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shop_core.filters import BoundedDateFilter, BoundedIsoDateTimeFilter

from .models import Booking, BookingStatus, ScheduleException, Service, Specialist


class SpecialistFilter(django_filters.FilterSet):
    """City, and services: name contains, price range (all on the same active service)."""

    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact")
    service = django_filters.CharFilter(method="_noop", label=_("Service name contains"))
    min_price = django_filters.NumberFilter(method="_noop", label=_("Has a service from price"))
    max_price = django_filters.NumberFilter(method="_noop", label=_("Has a service up to price"))

    class Meta:
        model = Specialist
        fields = ["city", "service", "min_price", "max_price"]

    def _noop(self, queryset, name, value):
        return queryset  # applied together in filter_queryset()

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        conditions = []
        if data.get("service"):
            conditions.append(Q(name__icontains=data["service"]))
        if data.get("min_price") is not None:
            conditions.append(Q(price__gte=data["min_price"]))
        if data.get("max_price") is not None:
            conditions.append(Q(price__lte=data["max_price"]))
        if conditions:
            # One service must match every condition; a subquery keeps rows unique.
            matching = Service.objects.filter(*conditions, is_active=True)
            queryset = queryset.filter(pk__in=matching.values("specialist_id"))
        return queryset


class ServiceFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    min_duration = django_filters.NumberFilter(field_name="duration_minutes", lookup_expr="gte")
    max_duration = django_filters.NumberFilter(field_name="duration_minutes", lookup_expr="lte")

    class Meta:
        model = Service
        fields = ["specialist", "name", "min_price", "max_price", "min_duration", "max_duration"]


class BookingFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=BookingStatus.choices)
    role = django_filters.ChoiceFilter(
        choices=[("client", _("client")), ("specialist", _("specialist"))],
        method="filter_role",
        label=_("My role in the booking"),
    )
    start_after = BoundedIsoDateTimeFilter(field_name="start", lookup_expr="gte")
    start_before = BoundedIsoDateTimeFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = Booking
        fields = ["status", "role", "start_after", "start_before", "service"]

    def filter_role(self, queryset, name, value):
        user = self.request.user
        if value == "client":
            return queryset.filter(client=user)
        return queryset.filter(specialist__user=user)


class ScheduleExceptionFilter(django_filters.FilterSet):
    date = BoundedDateFilter(field_name="date")
    date__gte = BoundedDateFilter(field_name="date", lookup_expr="gte")
    date__lte = BoundedDateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ScheduleException
        fields = ["date", "date__gte", "date__lte"]
