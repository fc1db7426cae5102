"""Passkeys (WebAuthn) through allauth.mfa: register, list, remove; a passkey as the
second factor of a password login, and as a passwordless login
(``MFA_PASSKEY_LOGIN_ENABLED``).

allauth.mfa stores each passkey as an ``Authenticator`` of type ``webauthn`` and
verifies attestations and assertions with fido2's ``Fido2Server`` (the relying
party is the request's host). Its views keep the WebAuthn challenge in the
session, which a token or JWT client has not; here the challenge state travels
in a signed, expiring ticket that works once (spent in the shared cache).

Only imported when ``allauth.mfa`` is installed.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.webauthn.internal import auth as webauthn
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from fido2.webauthn import ResidentKeyRequirement, UserVerificationRequirement

from ..conf import app_settings
from ..exceptions import CodeInvalid, NoPasskey, PasswordIncorrect, TicketInvalid
from . import mfa
from .credentials import lock_user

REGISTER_SALT = "shop_accounts.passkeys.register"
LOGIN_SALT = "shop_accounts.passkeys.login"
CREDENTIAL = "credential"  # the input an unusable credential is reported on
CHALLENGE = "challenge"  # the input that carries the challenge's ticket


@dataclass(frozen=True)
class Challenge:
    """WebAuthn options for the browser or app, and the ticket of their challenge."""

    options: dict[str, Any]
    ticket: str


def _user_verification() -> UserVerificationRequirement:
    """``MFA_WEBAUTHN_USER_VERIFICATION`` (allauth 65.20+); "preferred", allauth's
    default and its fixed choice before the setting, on older releases."""
    return UserVerificationRequirement(
        getattr(mfa_settings, "WEBAUTHN_USER_VERIFICATION", "preferred")
    )


def enabled() -> bool:
    """Whether passkeys are among allauth.mfa's ``MFA_SUPPORTED_TYPES``."""
    return Authenticator.Type.WEBAUTHN in mfa_settings.SUPPORTED_TYPES


def passwordless_enabled() -> bool:
    return enabled() and mfa_settings.PASSKEY_LOGIN_ENABLED


def passkeys(user: Any) -> list[Authenticator]:
    return list(
        Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.WEBAUTHN).order_by(
            "created_at", "pk"
        )
    )


def describe(authenticator: Authenticator) -> dict[str, Any]:
    wrapped = authenticator.wrap()
    return {
        "id": authenticator.pk,
        "name": wrapped.name,
        "passwordless": bool(wrapped.is_passwordless),
        "created_at": authenticator.created_at,
        "last_used_at": authenticator.last_used_at,
    }


def begin_registration(user: Any, *, passwordless: bool) -> Challenge:
    """Creation options for a new passkey of ``user`` (a discoverable one, with user
    verification, when it is to log in without a password)."""
    options, state = webauthn.get_server().register_begin(
        user=webauthn.build_user_payload(user),
        credentials=webauthn.get_credentials(user),  # the authenticator refuses a second
        resident_key_requirement=(
            ResidentKeyRequirement.REQUIRED if passwordless else ResidentKeyRequirement.DISCOURAGED
        ),
        user_verification=(
            UserVerificationRequirement.REQUIRED if passwordless else _user_verification()
        ),
        extensions=webauthn.EXTENSIONS,
    )
    return Challenge(dict(options), _issue({"u": str(user.pk), "s": state}, REGISTER_SALT))


@dataclass(frozen=True)
class Registered:
    passkey: Authenticator
    recovery_codes: list[str]  # fresh ones when the user had none, else empty


def complete_registration(*, user: Any, ticket: str, credential: dict, name: str) -> Registered:
    """Store the passkey that answers the challenge of ``ticket``. A user's first
    second factor also gets recovery codes (a lost key must not lock them out)."""
    data = _take(ticket, REGISTER_SALT, app_settings.MFA_SETUP_TIMEOUT)
    if data.get("u") != str(user.pk):
        raise TicketInvalid(field=CHALLENGE)
    try:
        webauthn.get_server().register_complete(data["s"], credential)
    except (ValueError, TypeError, KeyError):
        raise CodeInvalid(field=CREDENTIAL) from None
    with transaction.atomic():
        lock_user(pk=user.pk)  # two registrations cannot both make recovery codes
        passkey = webauthn.WebAuthn.add(user, name, credential).instance
        has_codes = Authenticator.objects.filter(
            user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
        ).exists()
        codes = [] if has_codes else RecoveryCodes.activate(user).generate_codes()
    return Registered(passkey, codes)


@transaction.atomic
def remove(*, user: Any, pk: Any, password: str) -> None:
    """Remove one of the user's passkeys (``Authenticator.DoesNotExist`` for another's);
    the recovery codes go with the last second factor."""
    lock_user(pk=user.pk)
    passkey = Authenticator.objects.get(user_id=user.pk, type=Authenticator.Type.WEBAUTHN, pk=pk)
    if not user.check_password(password):
        raise PasswordIncorrect(field="password")
    passkey.delete()
    if not mfa.second_factor_active(user):
        Authenticator.objects.filter(
            user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
        ).delete()


def begin_login(login_ticket: str | None = None) -> Challenge:
    """Request options: for the second step of the login of ``login_ticket`` (its
    user's passkeys), or, without one, for a passwordless login (any passkey
    the authenticator discovers, user verification required)."""
    if login_ticket is None:
        options, state = webauthn.get_server().authenticate_begin(
            credentials=[], user_verification=UserVerificationRequirement.REQUIRED
        )
        return Challenge(dict(options), _issue({"u": None, "s": state}, LOGIN_SALT))
    user = mfa.read_ticket(login_ticket)
    credentials = webauthn.get_credentials(user)
    if not credentials:
        raise NoPasskey()
    options, state = webauthn.get_server().authenticate_begin(
        credentials=credentials,
        user_verification=_user_verification(),
    )
    data = {"u": str(user.pk), "s": state, "t": _digest(login_ticket)}
    return Challenge(dict(options), _issue(data, LOGIN_SALT))


def complete_login(*, ticket: str, credential: dict, login_ticket: str | None = None) -> Any:
    """The user whose passkey signed the challenge of ``ticket``: the user of
    ``login_ticket`` (then spent), or, passwordless, the user the passkey names."""
    data = _take(ticket, LOGIN_SALT, app_settings.MFA_LOGIN_TIMEOUT)
    if login_ticket is not None:
        user = mfa.read_ticket(login_ticket)
        if (data.get("u"), data.get("t")) != (str(user.pk), _digest(login_ticket)):
            raise TicketInvalid(field=CHALLENGE)
    elif data.get("u") is not None:
        raise TicketInvalid(field=CHALLENGE)  # a second-step challenge is no passwordless one
    else:
        try:
            user = webauthn.extract_user_from_response(credential)
        except ValidationError:
            raise CodeInvalid(field=CREDENTIAL) from None
        if not user.is_active:
            raise CodeInvalid(field=CREDENTIAL)
    mfa.limit(user)
    try:
        found = webauthn.get_server().authenticate_complete(
            data["s"], webauthn.get_credentials(user), credential
        )
    except (ValueError, TypeError, KeyError):
        raise CodeInvalid(field=CREDENTIAL) from None
    passkey = webauthn.get_authenticator_by_credential_id(user, found.credential_id)
    if passkey is None:
        raise CodeInvalid(field=CREDENTIAL)
    passkey.record_usage()
    mfa.forget_attempts(user)
    if login_ticket is not None:
        mfa.spend_ticket(login_ticket)
    return user


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()[:32]


def _issue(data: dict[str, Any], salt: str) -> str:
    return signing.dumps({**data, "n": secrets.token_urlsafe(8)}, salt=salt)


def _take(ticket: str, salt: str, max_age: int) -> dict[str, Any]:
    """The data of a genuine, unexpired ticket, spent now: a challenge is answered once."""
    try:
        data = mfa.load_ticket(ticket, salt, max_age)
        mfa.spend_ticket(ticket, timeout=max_age)
    except TicketInvalid:
        raise TicketInvalid(field=CHALLENGE) from None
    return data
