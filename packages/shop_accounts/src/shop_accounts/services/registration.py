"""Sign-up: what a taken address gets, and what a new account gets besides allauth's user.

allauth's enumeration prevention (``ACCOUNT_PREVENT_ENUMERATION``, on by
default) answers a sign-up with a registered address exactly like a new
one and e-mails the address's owner instead. It can hide the conflict only
when e-mail verification is mandatory (the new "account" can never be
used); otherwise allauth refuses the address, and so does this package.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from django.http import HttpRequest

from ..models import COMPANY_FIELDS
from ..selectors import email_taken
from .profiles import get_profile
from .roles import assign_role


class SignupPolicy(Enum):
    NEW = "new"  # the address is free
    HIDE = "hide"  # taken: answer as for a new one, mail the owner
    REFUSE = "refuse"  # taken: answer 400 "taken"


def signup_policy(email: str) -> SignupPolicy:
    """What a sign-up with ``email`` gets, as allauth decides it for its own forms."""
    if not email_taken(email):
        return SignupPolicy.NEW
    mandatory = allauth_settings.EMAIL_VERIFICATION == (
        allauth_settings.EmailVerificationMethod.MANDATORY
    )
    if allauth_settings.PREVENT_ENUMERATION and mandatory:
        return SignupPolicy.HIDE
    return SignupPolicy.REFUSE


def notify_existing_account(request: HttpRequest, email: str) -> None:
    """Tell the owner of ``email`` that someone tried to sign up with it.

    allauth's per-address limit on verification e-mails applies, so a
    sign-up loop cannot flood the owner's mailbox.
    """
    if ratelimit.consume(request, action="confirm_email", key=email.lower()):
        stored = EmailAddress.objects.filter(email__iexact=email).values_list("email", flat=True)
        get_adapter(request).send_account_already_exists_mail(stored.first() or email)


def complete_signup(*, user: Any, role: str | None = None, **company: Any) -> None:
    """What the package adds to a new account in the sign-up's transaction: the extra
    ``role`` asked for (validated against ``REGISTRATION_ROLES``) and the company
    data of a business customer (``customer_kind``, ``company_name``, ``tax_number``)."""
    if role:
        assign_role(user, role)
    profile = get_profile(user)
    for name in COMPANY_FIELDS:
        if company.get(name):
            setattr(profile, name, company[name])
    profile.save()
