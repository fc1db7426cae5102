"""Business operations of shop_accounts (they write; views call them)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..conf import app_settings
from ..models import COMPANY_FIELDS, Profile
from ..selectors import email_taken
from ..signals import company_verified, role_assigned


def _role_group_name(role: str) -> str:
    if role not in app_settings.ROLES:
        raise ValidationError(
            _("Unknown role %(role)s; known roles: %(roles)s.")
            % {"role": role, "roles": ", ".join(app_settings.ROLES)},
            code="unknown_role",
        )
    return role


def _find_permission(dotted: str) -> Permission | None:
    app_label, _dot, codename = dotted.partition(".")
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


@transaction.atomic
def seed_roles() -> list[str]:
    """Create a group per role in ``SHOP_ACCOUNTS["ROLES"]`` with its permissions.

    Idempotent. Returns the permissions that do not exist (an app not
    installed or not migrated), which are skipped.
    """
    missing: list[str] = []
    for role, permissions in app_settings.ROLES.items():
        group, _created = Group.objects.get_or_create(name=_role_group_name(role))
        for dotted in permissions:
            permission = _find_permission(dotted)
            if permission is None:
                missing.append(dotted)
            else:
                group.permissions.add(permission)
    return missing


def validate_roles() -> list[str]:
    """Problems that ``seed_roles`` would fix or cannot fix, as sentences."""
    problems: list[str] = []
    for role, permissions in app_settings.ROLES.items():
        group = Group.objects.filter(name=_role_group_name(role)).first()
        if group is None:
            problems.append(_("Group for role '%(role)s' is missing.") % {"role": role})
            continue
        granted = {
            f"{app_label}.{codename}"
            for app_label, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        for dotted in permissions:
            if _find_permission(dotted) is None:
                problems.append(
                    _("Permission '%(permission)s' of role '%(role)s' does not exist.")
                    % {"permission": dotted, "role": role}
                )
            elif dotted not in granted:
                problems.append(
                    _("Role '%(role)s' lacks permission '%(permission)s'.")
                    % {"permission": dotted, "role": role}
                )
    return problems


def assign_role(user: Any, role: str) -> None:
    """Add ``user`` to the group of ``role`` (created if missing)."""
    group, _created = Group.objects.get_or_create(name=_role_group_name(role))
    user.groups.add(group)
    role_assigned.send(sender=type(user), user=user, role=role)


def create_user(
    *,
    email: str,
    password: str | None,
    role: str | None = None,
    email_verified: bool = True,
    **extra: Any,
) -> Any:
    """Create a user with any user model, its e-mail address record and role.

    Used by the ``create_user`` command and demo data; people registering
    go through the registration API instead.
    """
    user_model = get_user_model()
    email_field = user_model.get_email_field_name()
    taken = ValidationError(
        {"email": _("A user is already registered with this e-mail address.")}, code="taken"
    )
    if email_taken(email):
        raise taken
    fields = {email_field: email, **extra}
    if user_model.USERNAME_FIELD != email_field:
        fields.setdefault(
            user_model.USERNAME_FIELD, get_adapter().generate_unique_username([email])
        )
    if role is not None:
        _role_group_name(role)
    try:
        with transaction.atomic():
            user = user_model._default_manager.create_user(password=password, **fields)
            EmailAddress.objects.create(
                user=user, email=email, primary=True, verified=email_verified
            )
            if role is not None:
                assign_role(user, role)
    except IntegrityError:
        if email_taken(email):  # registered meanwhile: the database refused the second
            raise taken from None
        raise
    return user


def get_profile(user: Any) -> Profile:
    """The user's profile, created when the user predates the app."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


def _locked(profile: Profile) -> Profile:
    """The profile's row, locked until the transaction ends, as stored now.

    A user's edit and a manager's verification both read then write the
    row; the lock makes the second one see the first one's result.
    """
    return Profile.objects.select_for_update().get(pk=profile.pk)


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
        profile.company_verified = False
        profile.company_verified_at = None
        profile.company_verified_by = None
    profile.save()
    if withdrawn:
        company_verified.send(sender=Profile, profile=profile, verified=False, by=None)
    return profile


@transaction.atomic
def set_company_verified(*, profile: Profile, verified: bool, by: Any) -> Profile:
    """Staff mark a business customer's company as verified (or not); returns the profile.

    The rules are checked on the row as stored now (locked), not on the
    copy the caller read earlier.
    """
    profile = _locked(profile)
    if verified and profile.customer_kind != Profile.CustomerKind.B2B:
        raise ValidationError(
            {"customer_kind": _("Only a business customer's company can be verified.")}
        )
    if verified and not (profile.company_name and profile.tax_number):
        raise ValidationError(
            {"tax_number": _("The company name and tax number must be filled in first.")}
        )
    profile.company_verified = verified
    profile.company_verified_at = timezone.now() if verified else None
    profile.company_verified_by = by if verified else None
    profile.save(
        update_fields=[
            "company_verified",
            "company_verified_at",
            "company_verified_by",
            "updated_at",
        ]
    )
    company_verified.send(sender=Profile, profile=profile, verified=verified, by=by)
    return profile
