"""Users: created by commands and demo data; edited through ``user/``."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.utils import model_meta

from ..selectors import email_taken
from .profiles import get_profile, update_profile
from .roles import assign_role, role_group_name


def _taken() -> ValidationError:
    return ValidationError(
        {"email": _("A user is already registered with this e-mail address.")}, code="taken"
    )


def _user_fields(email: str, extra: dict[str, Any]) -> dict[str, Any]:
    """The model fields of a new user: the e-mail field, a generated username if the
    model has a separate one, and ``extra``."""
    user_model = get_user_model()
    email_field = user_model.get_email_field_name()
    fields = {email_field: email, **extra}
    if user_model.USERNAME_FIELD != email_field:
        fields.setdefault(
            user_model.USERNAME_FIELD, get_adapter().generate_unique_username([email])
        )
    return fields


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
    go through the registration API instead. A taken address is a
    ``ValidationError`` with code ``taken`` (the database settles a race).
    """
    if email_taken(email):
        raise _taken()
    fields = _user_fields(email, extra)
    if role is not None:
        role_group_name(role)
    try:
        with transaction.atomic():
            user = get_user_model()._default_manager.create_user(password=password, **fields)
            EmailAddress.objects.create(
                user=user, email=email, primary=True, verified=email_verified
            )
            if role is not None:
                assign_role(user, role)
    except IntegrityError:
        if email_taken(email):  # registered meanwhile: the database refused the second
            raise _taken() from None
        raise
    return user


@transaction.atomic
def update_user(*, user: Any, profile: dict[str, Any] | None = None, **fields: Any) -> Any:
    """Write the user fields given (and the profile changes, see ``update_profile``).

    Only the columns given are saved, not the whole row read at the start of
    the request: a password changed meanwhile is never written back.
    """
    _save_fields(user, fields)
    if profile:
        update_profile(profile=get_profile(user), **profile)
    return user


def _save_fields(instance: Any, fields: dict[str, Any]) -> None:
    relations = model_meta.get_field_info(instance).relations
    many = {
        name: value
        for name, value in fields.items()
        if name in relations and relations[name].to_many
    }
    columns = [name for name in fields if name not in many]
    for name in columns:
        setattr(instance, name, fields[name])
    if columns:
        instance.save(update_fields=columns)
    for name, value in many.items():
        getattr(instance, name).set(value)
