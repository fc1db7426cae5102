"""Profiles: the customer's own edits, avatars, and staff verifying a company.

A user's edit and a manager's verification both read the profile row and
then write it; each locks and re-reads the row first, so the second one
sees the first one's result.
"""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ..exceptions import CompanyIncomplete, NotBusinessCustomer
from ..models import COMPANY_FIELDS, Profile, company_errors
from ..signals import company_verified

# The columns an avatar change writes: the rest of the row may have changed meanwhile.
AVATAR_FIELDS = ["avatar", "avatar_thumbnail", "updated_at"]
VERIFICATION_FIELDS = [
    "company_verified",
    "company_verified_at",
    "company_verified_by",
    "updated_at",
]


def get_profile(user: Any) -> Profile:
    """The user's profile, created when the user predates the app."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def _locked(profile: Profile) -> Profile:
    """The profile's row, locked until the transaction ends, as stored now."""
    return Profile.objects.select_for_update().get(pk=profile.pk)


def _withdraw_verification(profile: Profile) -> None:
    profile.company_verified = False
    profile.company_verified_at = None
    profile.company_verified_by = None


@transaction.atomic
def update_profile(*, profile: Profile, **changes: Any) -> Profile:
    """Change profile fields as the user asks; returns the saved profile.

    Changing the company data withdraws a company verification: staff
    vouched for the data they saw, not for the new data.
    """
    profile = _locked(profile)
    company_changed = any(
        name in changes and changes[name] != getattr(profile, name) for name in COMPANY_FIELDS
    )
    for name, value in changes.items():
        setattr(profile, name, value)
    withdrawn = company_changed and profile.company_verified
    if withdrawn:
        _withdraw_verification(profile)
    profile.save()
    if withdrawn:
        company_verified.send(sender=Profile, profile=profile, verified=False, by=None)
    return profile


def _check_verifiable(profile: Profile) -> None:
    if not profile.is_business:
        raise NotBusinessCustomer()
    if company_errors(**{name: getattr(profile, name) for name in COMPANY_FIELDS}):
        raise CompanyIncomplete()


@transaction.atomic
def set_company_verified(*, profile: Profile, verified: bool, by: Any) -> Profile:
    """Staff mark a business customer's company as verified (or not); returns the profile.

    The rules are checked on the row as stored now (locked), not on the copy
    the caller read earlier: ``NotBusinessCustomer`` (``not_business``) for a
    private customer, ``CompanyIncomplete`` (``company_incomplete``) without
    a company name and tax number.
    """
    profile = _locked(profile)
    if verified:
        _check_verifiable(profile)
    profile.company_verified = verified
    profile.company_verified_at = timezone.now() if verified else None
    profile.company_verified_by = by if verified else None
    profile.save(update_fields=VERIFICATION_FIELDS)
    company_verified.send(sender=Profile, profile=profile, verified=verified, by=by)
    return profile


def set_avatar(*, profile: Profile, file: File) -> Profile:
    """Store a validated avatar; ``Profile.save()`` makes the thumbnail and
    django-cleanup removes the files it replaces."""
    profile.avatar = file
    profile.save(update_fields=AVATAR_FIELDS)
    return profile


def remove_avatar(*, profile: Profile) -> None:
    """Remove the avatar and its thumbnail (django-cleanup deletes the files)."""
    if profile.avatar:
        profile.avatar = None
        profile.save(update_fields=AVATAR_FIELDS)
