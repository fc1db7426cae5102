"""Query parameters of the list endpoints, parsed by django-filter."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from .models import Profile


class CompanyFilter(filters.FilterSet):
    """``?verified=true|false`` (also ``1``/``0``; any other value filters nothing)."""

    verified = filters.BooleanFilter(
        field_name="company_verified", help_text=_("Only verified (true) or unverified (false).")
    )

    class Meta:
        model = Profile
        fields = ["verified"]
