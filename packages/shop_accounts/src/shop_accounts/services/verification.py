"""E-mail verification by link key (a key is valid, expired or invalid) or by code.

allauth answers ``None`` for both an expired and a forged key; a client
needs to tell them apart to offer "send me a new link".
"""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.email_verification_by_code import (
    EMAIL_VERIFICATION_CODE_SESSION_KEY,
    EmailVerificationProcess,
)
from allauth.account.internal.userkit import str_to_user_id
from allauth.account.models import EmailAddress, EmailConfirmation, get_emailconfirmation_model
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

from ..exceptions import (
    CodeInvalid,
    ExpiredKey,
    InvalidKey,
    TicketExpired,
    TicketInvalid,
    TooManyAttempts,
)


def normalize_user_code(code: str) -> str:
    """The code as allauth compares it (RFC 8628, 6.1): punctuation and spaces
    dropped, lower case, so "ABC-123" and "abc 123" are one code. (allauth's
    own helper is internal and missing from releases that still support
    Python 3.10.)"""
    return code.translate(str.maketrans("", "", string.punctuation + string.whitespace)).lower()


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


# Verification by code (``ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED``). allauth keeps
# the code in the session of the sign-up request; an API client has none, so the
# state travels in a signed ticket instead, holding only a keyed digest of the code
# (a ticket is readable, not secret). Wrong codes are counted per ticket in the
# shared cache; a right one works once.
CODE_SALT = "shop_accounts.verification.code"
ATTEMPTS_KEY = "shop_accounts.verification.attempts:{}"
SPENT_KEY = "shop_accounts.verification.spent:{}"


@dataclass(frozen=True)
class CodeTicket:
    ticket: str
    expires_in: int


def by_code() -> bool:
    return allauth_settings.EMAIL_VERIFICATION_BY_CODE_ENABLED


def resend(request: HttpRequest, address: EmailAddress) -> None:
    """Send the unverified ``address`` a new link, or a new code (``code_ticket`` then
    carries it)."""
    if by_code():  # allauth's link path refuses to run in code mode
        EmailVerificationProcess.initiate(request=request, user=address.user, email=address.email)
    else:
        address.send_confirmation(request)


def code_ticket(request: HttpRequest, email: str) -> CodeTicket:
    """The ticket of the code allauth just sent for ``email`` in this request (taken
    out of the session), or a decoy that no code verifies when none was sent
    (a registered address: the answer must look the same)."""
    state = request.session.pop(EMAIL_VERIFICATION_CODE_SESSION_KEY, None) or {}
    if state.get("account_already_exists") or not state.get("user_id"):
        state = {"email": email, "code": secrets.token_urlsafe(16)}
    data = {
        "u": state.get("user_id"),
        "e": state["email"],
        "h": _code_digest(state["code"]),
        "n": secrets.token_urlsafe(8),
    }
    timeout = allauth_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT
    return CodeTicket(signing.dumps(data, salt=CODE_SALT), timeout)


def confirm_code(request: HttpRequest, ticket: str, code: str) -> EmailAddress:
    """Verify the address of ``ticket`` with ``code``. ``TicketExpired`` after the code's
    lifetime, ``TicketInvalid`` for a forged or spent ticket, ``CodeInvalid`` for a
    wrong code, ``TooManyAttempts`` past the attempts allowed (ask a new code)."""
    try:
        data = signing.loads(
            ticket, salt=CODE_SALT, max_age=allauth_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT
        )
    except signing.SignatureExpired:
        raise TicketExpired() from None
    except signing.BadSignature:
        raise TicketInvalid() from None
    timeout = allauth_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT + 1
    attempts = ATTEMPTS_KEY.format(data["n"])
    cache.add(attempts, 0, timeout=timeout)
    if cache.incr(attempts) > allauth_settings.EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS:
        raise TooManyAttempts()
    if data["u"] is None or not constant_time_compare(_code_digest(code), data["h"]):
        raise CodeInvalid()
    if not cache.add(SPENT_KEY.format(data["n"]), 1, timeout=timeout):
        raise TicketInvalid()
    address = EmailAddress.objects.filter(
        user_id=str_to_user_id(data["u"]), email__iexact=data["e"], verified=False
    ).first()
    if address is None or not get_adapter(request).confirm_email(request, address):
        raise TicketInvalid()  # verified meanwhile (by a link, or by another account)
    return address


def _code_digest(code: str) -> str:
    # allauth's normal form of a typed code (case, dashes and spaces do not matter).
    return salted_hmac(CODE_SALT, normalize_user_code(code), algorithm="sha256").hexdigest()
