"""E-mail verification by link key: a key is valid, expired or invalid.

allauth answers ``None`` for both an expired and a forged key; a client
needs to tell them apart to offer "send me a new link".
"""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress, EmailConfirmation, get_emailconfirmation_model
from django.core import signing
from django.http import HttpRequest

from ..exceptions import ExpiredKey, InvalidKey


def confirm_email(request: HttpRequest, key: str) -> EmailAddress:
    """Mark the address of ``key`` verified; ``ExpiredKey`` or ``InvalidKey`` otherwise."""
    confirmation = get_emailconfirmation_model().from_key(key)
    if confirmation is None:
        raise ExpiredKey() if _is_expired(key) else InvalidKey()
    address = confirmation.confirm(request)
    if address is None:  # another account verified this address meanwhile
        raise InvalidKey()
    return address


def _is_expired(key: str) -> bool:
    """Whether ``key`` is genuine and names an unverified address (so only its age failed)."""
    if allauth_settings.EMAIL_CONFIRMATION_HMAC:
        try:
            pk: Any = signing.loads(key, salt=allauth_settings.SALT)  # no max_age
        except signing.BadSignature:
            return False
        return EmailAddress.objects.filter(pk=pk, verified=False).exists()
    return EmailConfirmation.objects.filter(key=key.lower(), email_address__verified=False).exists()
