"""django-filter pieces: bounded date filters and a backend whose 400 carries codes."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request

from .bounds import validate_date_bounds
from .fields import NON_ASCII_DIGITS, NON_ASCII_DIGITS_MESSAGE, has_other_digits


class _BoundedDateInput:
    """Form field mixin: digits 0-9 only, then a day or instant in 1970-9000 (``out_of_range``).

    Bounded before the query: year 9999 with a negative offset is past
    ``datetime.max`` in UTC, which the database adapter would raise on (a 500).
    """

    default_validators = [validate_date_bounds]

    def to_python(self, value: Any) -> Any:
        if has_other_digits(value):
            raise forms.ValidationError(NON_ASCII_DIGITS_MESSAGE, code=NON_ASCII_DIGITS)
        return super().to_python(value)  # type: ignore[misc]


class BoundedIsoDateTimeField(_BoundedDateInput, django_filters.fields.IsoDateTimeField):
    pass


class BoundedDateField(_BoundedDateInput, forms.DateField):
    pass


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


class FilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` whose 400 keeps each problem's code (``out_of_range``, ...).

    django-filter's own backend drops the form errors' codes.
    """

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(
                {
                    name: [
                        ErrorDetail(" ".join(e.messages), code=e.code or "invalid") for e in errs
                    ]
                    for name, errs in filterset.errors.as_data().items()
                }
            )
        return filterset.qs
