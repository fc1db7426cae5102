"""Leaving the shop: a user deletes their own account.

One transaction: the password (and the second factor when on) is checked
under the user's row lock, ``shop_core.signals.erasing_personal_data`` lets
every package delete or anonymise its own data, then the user row goes (its
profile, e-mail addresses, tokens and authenticators with it, by cascade).
A receiver that raises rolls all of it back; so does a user another package
still protects (a ``PROTECT`` foreign key: ``AccountInUse``, 409). The ``DeletedUser`` audit row
is written by the ``pre_delete`` receiver with the user as the one who
deleted, and django-cleanup removes the avatar files once it commits.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.urls import NoReverseMatch, reverse

from shop_core.signals import erasing_personal_data

from ..conf import app_settings
from ..exceptions import AccountInUse, CodeRequired, PasswordIncorrect
from ..middleware import acting_as
from .credentials import lock_user


def mfa_active(user: Any) -> bool:
    """Whether leaving needs a second-factor code too."""
    if not apps.is_installed("allauth.mfa"):
        return False
    from . import mfa

    return mfa.second_factor_active(user)


def data_export_url() -> str | None:
    """Where to export one's data before leaving (``DATA_EXPORT_URL``), or None.

    A URL name is offered only when the app of its namespace is installed and
    the name reverses (the cabinet's export by default); a path or URL as is.
    """
    target = app_settings.DATA_EXPORT_URL
    if not target or "/" in target:
        return target or None
    namespace, _sep, _name = target.rpartition(":")
    if namespace and not apps.is_installed(namespace):
        return None
    try:
        return reverse(target)
    except NoReverseMatch:
        return None


def erase_account(*, user: Any, password: str, code: str = "") -> None:
    """Delete ``user`` after their password (and code); every package erases its
    data first, through ``erasing_personal_data``, in this transaction.
    ``AccountInUse`` (nothing changed) when another package's rows protect the user."""
    try:
        with transaction.atomic():
            _erase(user, password=password, code=code)
    except (ProtectedError, RestrictedError):
        raise AccountInUse() from None


def _erase(user: Any, *, password: str, code: str) -> None:
    lock_user(pk=user.pk)
    if not user.check_password(password):
        raise PasswordIncorrect(field="password")
    if mfa_active(user):
        if not code:
            raise CodeRequired()
        from . import mfa

        mfa.verify_code(user, code)
    erasing_personal_data.send(sender=user.__class__, user=user)
    with acting_as(user):
        user.delete()
