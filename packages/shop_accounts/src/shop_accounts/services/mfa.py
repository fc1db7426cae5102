"""Two-factor login with allauth.mfa's TOTP authenticator and recovery codes.

allauth.mfa keeps the authenticators (its ``Authenticator`` model, the secret
through its adapter's ``encrypt``), checks codes, refuses a TOTP code used
before (``cache.add`` in the shared cache, so two processes cannot both take
it) and marks a recovery code used under a row lock. Its own views keep the
login's state in the session; an API client has none, so the state between
the password and the code is a signed, expiring ticket here (``issue_ticket``
and ``read_ticket``), and the TOTP secret between setup and activation is a
signed ticket too.

Only imported when ``allauth.mfa`` is installed (its models refuse otherwise).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from allauth.core import context, ratelimit
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.crypto import salted_hmac

from ..conf import app_settings
from ..exceptions import (
    CodeInvalid,
    MFAAlreadyActive,
    MFANotActive,
    PasswordIncorrect,
    TicketExpired,
    TicketInvalid,
    TooManyAttempts,
)
from .credentials import lock_user

LOGIN_SALT = "shop_accounts.mfa.login"
SETUP_SALT = "shop_accounts.mfa.setup"
# Which ticket was spent; kept as long as a ticket lives.
SPENT_KEY = "shop_accounts.mfa.spent:{}"


@dataclass(frozen=True)
class TotpSetup:
    secret: str
    otpauth_url: str
    ticket: str


def _password_mark(user: Any) -> str:
    """A keyed digest of the stored password hash: a ticket dies when the password changes."""
    return salted_hmac(LOGIN_SALT, user.password, algorithm="sha256").hexdigest()[:16]


def is_active(user: Any) -> bool:
    """Whether the user has a TOTP authenticator."""
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def second_factor_active(user: Any) -> bool:
    """Whether the user logs in with a second factor (TOTP or a passkey)."""
    return Authenticator.objects.filter(user_id=user.pk, type__in=SECOND_FACTORS).exists()


def methods(user: Any) -> list[str]:
    """The second factors the user can finish a login with, for the 202 answer."""
    found = set(
        Authenticator.objects.filter(user_id=user.pk).values_list("type", flat=True).distinct()
    )
    return sorted(found)


def status(user: Any) -> dict[str, Any]:
    """``{"active", "created_at", "last_used_at", "recovery_codes_left", "passkeys"}`` of
    ``user``: whether TOTP is on (and since when), and how many passkeys they have."""
    authenticators = list(Authenticator.objects.filter(user_id=user.pk))
    found = {a.type: a for a in authenticators}
    totp = found.get(Authenticator.Type.TOTP)
    codes = found.get(Authenticator.Type.RECOVERY_CODES)
    return {
        "active": totp is not None,
        "created_at": totp.created_at if totp else None,
        "last_used_at": totp.last_used_at if totp else None,
        "recovery_codes_left": len(codes.wrap().get_unused_codes()) if codes else 0,
        "passkeys": sum(a.type == Authenticator.Type.WEBAUTHN for a in authenticators),
    }


def start_totp(user: Any) -> TotpSetup:
    """A new secret, its ``otpauth://`` URL for the authenticator app, and a ticket that
    carries both to ``activate_totp``."""
    if is_active(user):
        raise MFAAlreadyActive()
    secret = generate_totp_secret()
    ticket = signing.dumps({"u": str(user.pk), "s": secret}, salt=SETUP_SALT)
    return TotpSetup(secret, get_mfa_adapter().build_totp_url(user, secret), ticket)


def activate_totp(*, user: Any, ticket: str, code: str) -> list[str]:
    """Turn TOTP on once ``code`` proves the app has the secret of ``ticket``; returns
    fresh recovery codes. The unique (user, type) constraint settles a race."""
    data = load_ticket(ticket, SETUP_SALT, app_settings.MFA_SETUP_TIMEOUT)
    if data.get("u") != str(user.pk):
        raise TicketInvalid()
    limit(user)
    try:
        with transaction.atomic():
            totp = TOTP.activate(user, data["s"])
            if not totp.validate_code(code):
                raise CodeInvalid()
            Authenticator.objects.filter(
                user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
            ).delete()
            codes = RecoveryCodes.activate(user).generate_codes()
    except IntegrityError:
        raise MFAAlreadyActive() from None
    forget_attempts(user)
    return codes


@transaction.atomic
def deactivate_totp(*, user: Any, code: str = "", password: str = "") -> None:
    """Turn the second factor off (its recovery codes with it) after a code or the password."""
    _reauthenticate(user, code=code, password=password)
    Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).delete()
    if not second_factor_active(user):  # passkeys left keep their recovery codes
        Authenticator.objects.filter(
            user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES
        ).delete()


@transaction.atomic
def regenerate_recovery_codes(*, user: Any, code: str = "", password: str = "") -> list[str]:
    """New recovery codes (the old ones stop working) after a code or the password."""
    _reauthenticate(user, code=code, password=password)
    Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES).delete()
    return RecoveryCodes.activate(user).generate_codes()


def _reauthenticate(user: Any, *, code: str, password: str) -> None:
    """Lock the user's row and check a second-factor code, else the password."""
    lock_user(pk=user.pk)
    if not is_active(user):
        raise MFANotActive()
    if code:
        verify_code(user, code)
    elif not user.check_password(password):
        raise PasswordIncorrect(field="password")


def verify_code(user: Any, code: str) -> Authenticator:
    """The authenticator that accepts ``code``: the TOTP code of now (once), or an
    unused recovery code (then used up). ``CodeInvalid`` otherwise; past the
    per-account limit of failures, ``TooManyAttempts``."""
    limit(user)
    code = code.strip().replace(" ", "")
    for authenticator in Authenticator.objects.filter(
        user_id=user.pk, type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    ).order_by("type"):  # recovery_codes < totp: either order is right; this one is stable
        if authenticator.wrap().validate_code(code):
            authenticator.record_usage()
            forget_attempts(user)
            return authenticator
    raise CodeInvalid()


def limit(user: Any) -> None:
    """Count an attempt at a code against the account (allauth's ``login_failed``
    limit, in the shared cache); a right code forgets them."""
    if not ratelimit.consume(context.request, action="login_failed", key=_limit_key(user)):
        raise TooManyAttempts()


def forget_attempts(user: Any) -> None:
    ratelimit.clear(context.request, action="login_failed", key=_limit_key(user))


def _limit_key(user: Any) -> str:
    return f"mfa-user-{user.pk}"


def issue_ticket(user: Any) -> str:
    """The "second step pending" ticket of a login whose password was right."""
    # The nonce tells apart two logins of one user in one second (each is spent once).
    data = {"u": str(user.pk), "p": _password_mark(user), "n": secrets.token_urlsafe(8)}
    return signing.dumps(data, salt=LOGIN_SALT)


def read_ticket(ticket: str) -> Any:
    """The user of a login ticket that is genuine, unexpired, unspent and whose
    password has not changed since; ``TicketExpired`` / ``TicketInvalid`` otherwise."""
    data = load_ticket(ticket, LOGIN_SALT, app_settings.MFA_LOGIN_TIMEOUT)
    # Refused before any code is checked, so a spent ticket uses up no recovery code.
    if cache.get(_spent_key(ticket)):
        raise TicketInvalid()
    user = get_user_model()._default_manager.filter(pk=data.get("u"), is_active=True).first()
    if user is None or data.get("p") != _password_mark(user):
        raise TicketInvalid()
    return user


def _spent_key(ticket: str) -> str:
    return SPENT_KEY.format(hashlib.sha256(ticket.encode()).hexdigest())


def spend_ticket(ticket: str, timeout: int | None = None) -> None:
    """Mark the ticket used (a second login with it is refused); ``timeout``: how long
    it lives (a login ticket's by default)."""
    lifetime = (timeout or app_settings.MFA_LOGIN_TIMEOUT) + 1
    if not cache.add(_spent_key(ticket), 1, timeout=lifetime):
        raise TicketInvalid()


def load_ticket(ticket: str, salt: str, max_age: int) -> dict[str, Any]:
    """The data of a genuine ticket of ``salt`` at most ``max_age`` seconds old."""
    try:
        data = signing.loads(ticket, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise TicketExpired() from None
    except signing.BadSignature:
        raise TicketInvalid() from None
    if not isinstance(data, dict):
        raise TicketInvalid()
    return data
