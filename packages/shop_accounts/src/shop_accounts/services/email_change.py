"""Changing one's e-mail address with allauth's e-mail change (``ACCOUNT_CHANGE_EMAIL``).

The new address is stored unverified beside the old one and gets a
verification link (``EMAIL_CHANGE_URL``); the old one is told at once. The
user's e-mail field, and so the login, stays the old address until the link
is used; then allauth makes the new one primary, removes the old and (with
``ACCOUNT_EMAIL_NOTIFICATIONS``) tells the old address it changed. The
case-insensitive unique index on ``EmailAddress.email`` (migration 0003)
refuses an address that another account, or another request, took
meanwhile.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from ..exceptions import EmailTaken, PasswordIncorrect
from ..selectors import email_taken


def request_email_change(
    request: HttpRequest, *, user: Any, password: str, email: str
) -> EmailAddress:
    """Start changing ``user``'s address to ``email`` after their password."""
    if not user.check_password(password):
        raise PasswordIncorrect(field="password")
    email = get_adapter(request).clean_email(email.lower())
    if email_taken(email):
        raise EmailTaken()
    old = getattr(user, user.get_email_field_name())
    try:
        with transaction.atomic():
            # Replaces an earlier unconfirmed request; sends the link after commit.
            address = EmailAddress.objects.add_new_email(request, user, email)
    except IntegrityError:
        raise EmailTaken() from None
    get_adapter(request).send_mail(
        "shop_accounts/email/email_change_requested",
        old,
        {"user": user, "from_email": old, "to_email": email},
    )
    return address


def pending_email(user: Any) -> str | None:
    """The address the user asked to change to and has not confirmed yet."""
    address = EmailAddress.objects.get_new(user)
    return address.email if address else None
