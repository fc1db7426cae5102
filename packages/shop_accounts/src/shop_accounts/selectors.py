"""Read queries of shop_accounts, for views and for other packages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet

from .conf import app_settings
from .models import Profile


@dataclass(frozen=True)
class BusinessProfile:
    """A business (B2B) customer's company, as other packages may read it.

    ``verified`` is True once staff verified the company (``set_company_verified``);
    a customer's own edit of the company data withdraws it.
    """

    company_name: str
    inn: str
    verified: bool
    kind: str = Profile.CustomerKind.B2B.value

    @property
    def is_verified_business(self) -> bool:
        return self.verified


def business_profile(user: Any) -> BusinessProfile | None:
    """The company of ``user`` when ``user`` is a business customer, else None.

    None for an anonymous user, a user without a profile and a private (B2C)
    customer. One query. This is the public way for other packages to apply
    the company rule (B2B prices, invoices); they never read ``Profile``'s
    fields by name.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    row = (
        Profile.objects.filter(user_id=user.pk, customer_kind=Profile.CustomerKind.B2B)
        .values_list("company_name", "tax_number", "company_verified")
        .first()
    )
    if row is None:
        return None
    company_name, inn, verified = row
    return BusinessProfile(company_name=company_name, inn=inn, verified=verified)


def user_roles(user: Any) -> list[str]:
    """The configured roles the user has, in the order of ``ROLES``."""
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in app_settings.ROLES if role in names]


def has_role(user: Any, role: str) -> bool:
    return bool(user.is_authenticated and user.groups.filter(name=role).exists())


def users_with_role(role: str) -> QuerySet:
    return get_user_model()._default_manager.filter(groups__name=role)


def email_taken(email: str) -> bool:
    """Whether any user or e-mail address record already uses ``email``."""
    from allauth.account.models import EmailAddress

    user_model = get_user_model()
    field = user_model.get_email_field_name()
    return (
        EmailAddress.objects.filter(email__iexact=email).exists()
        or user_model._default_manager.filter(**{f"{field}__iexact": email}).exists()
    )


def companies() -> QuerySet[Profile]:
    """Business customers' profiles with their users, latest change first (managers' list)."""
    return (
        Profile.objects.filter(customer_kind=Profile.CustomerKind.B2B)
        .select_related("user", "company_verified_by")
        .order_by("-updated_at", "pk")
    )


def role_stats() -> dict[str, int]:
    """Number of users per configured role (0 for a role with no group)."""
    from django.contrib.auth.models import Group

    counts = dict(
        Group.objects.filter(name__in=list(app_settings.ROLES))
        .annotate(users=Count("user"))
        .values_list("name", "users")
    )
    return {role: counts.get(role, 0) for role in app_settings.ROLES}
