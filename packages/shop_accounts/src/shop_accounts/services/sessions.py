"""Sign-ins a user can see and end: ``LoginRecord`` rows kept beside the credential
that authenticates (a DRF token, a JWT refresh token).

A login records the client (user agent, IP address); a request that authenticates
with the credential moves ``last_used_at`` by one conditional UPDATE that writes at
most once per ``LOGIN_RECORD_TOUCH_INTERVAL`` (and is not even tried in between:
a key in the shared cache); ending a sign-in deletes the token
or blacklists the refresh token, and the record with it.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from ..conf import app_settings
from ..models import LoginRecord

TOUCH_KEY = "shop_accounts.sign_in.touched:{}:{}"
SID_CLAIM = "sid"  # the record's id in a JWT (copied from refresh to access tokens)
USER_AGENT_MAX = 255


def token_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _client(request: HttpRequest | None) -> dict[str, Any]:
    if request is None:
        return {"user_agent": "", "ip": None}
    ip = request.META.get("REMOTE_ADDR")
    try:
        validate_ipv46_address(ip)
    except ValidationError:
        ip = None
    return {"user_agent": request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX], "ip": ip}


def record_token(request: HttpRequest | None, user: Any, token: Any) -> LoginRecord:
    """The sign-in of ``token`` (DRF's token is one per user: one record, renewed)."""
    record, _created = LoginRecord.objects.update_or_create(
        kind=LoginRecord.Kind.TOKEN,
        key=token_key(token.key),
        defaults={"user": user, "last_used_at": timezone.now(), **_client(request)},
    )
    _touched({"kind": record.kind, "key": record.key})
    return record


def record_refresh(request: HttpRequest | None, user: Any, refresh: Any) -> Any:
    """Record a JWT login and put its id in ``refresh``; returns the access token to
    hand out with it (made from ``refresh``, so it carries the id too)."""
    record = LoginRecord.objects.create(
        user=user,
        kind=LoginRecord.Kind.JWT,
        key=refresh["jti"],
        last_used_at=timezone.now(),
        **_client(request),
    )
    refresh[SID_CLAIM] = str(record.pk)
    _touched({"kind": record.kind, "pk": str(record.pk)})
    return refresh.access_token


def rotated(old_jti: str, new_jti: str) -> None:
    """A refresh token was rotated: its sign-in now ends with the new one."""
    LoginRecord.objects.filter(kind=LoginRecord.Kind.JWT, key=old_jti).update(
        key=new_jti, last_used_at=timezone.now()
    )


def current(request: HttpRequest) -> tuple[str, str] | None:
    """``(field, value)`` that finds the sign-in of the request's credential, if any."""
    auth = getattr(request, "auth", None)
    if auth is None:
        return None
    if isinstance(getattr(auth, "key", None), str):  # a DRF token
        return "key", token_key(auth.key)
    sid = auth.get(SID_CLAIM) if hasattr(auth, "get") else None  # a JWT
    return ("pk", sid) if isinstance(sid, str) else None


def _current_filter(request: HttpRequest) -> dict[str, Any] | None:
    found = current(request)
    if found is None:
        return None
    field, value = found
    if field == "key":
        return {"kind": LoginRecord.Kind.TOKEN, "key": value}
    return {"kind": LoginRecord.Kind.JWT, "pk": value}


def touch(request: HttpRequest) -> None:
    """Note that the request's sign-in was used: one conditional UPDATE at most once
    per ``LOGIN_RECORD_TOUCH_INTERVAL``, none in between."""
    lookup = _current_filter(request)
    if lookup is None:
        return
    interval = app_settings.LOGIN_RECORD_TOUCH_INTERVAL
    # The shared cache spares the database the UPDATE between two writes; the
    # condition keeps the row right when processes race or the cache forgets.
    if not cache.add(_touch_key(lookup), 1, timeout=interval):
        return
    now = timezone.now()
    since = now - timedelta(seconds=interval)
    try:
        LoginRecord.objects.filter(**lookup, last_used_at__lt=since).update(last_used_at=now)
    except ValidationError:  # a forged sid that is no UUID
        return


def _touch_key(lookup: dict[str, Any]) -> str:
    return TOUCH_KEY.format(lookup["kind"], lookup.get("key") or lookup.get("pk"))


def _touched(lookup: dict[str, Any]) -> None:
    """A login just wrote ``last_used_at``: the next write is due an interval later."""
    cache.set(_touch_key(lookup), 1, timeout=app_settings.LOGIN_RECORD_TOUCH_INTERVAL)


def sign_ins(user: Any) -> QuerySet[LoginRecord]:
    """The user's sign-ins, without JWT ones unused for longer than a refresh token
    lives (certainly expired)."""
    records = LoginRecord.objects.filter(user_id=user.pk)
    if apps.is_installed("rest_framework_simplejwt"):
        from rest_framework_simplejwt.settings import api_settings as jwt_settings

        dead = timezone.now() - jwt_settings.REFRESH_TOKEN_LIFETIME
        records = records.exclude(kind=LoginRecord.Kind.JWT, last_used_at__lt=dead)
    return records


def current_id(request: HttpRequest) -> Any:
    lookup = _current_filter(request)
    if lookup is None:
        return None
    try:
        return LoginRecord.objects.filter(**lookup).values_list("pk", flat=True).first()
    except ValidationError:
        return None


@transaction.atomic
def revoke(user: Any, pk: Any) -> None:
    """End one of ``user``'s sign-ins (``LoginRecord.DoesNotExist`` for another's)."""
    record = LoginRecord.objects.select_for_update().get(user_id=user.pk, pk=pk)
    _end([record])


@transaction.atomic
def revoke_others(user: Any, keep: Any) -> int:
    """End every sign-in of ``user`` but ``keep``; how many ended."""
    records = list(
        LoginRecord.objects.select_for_update()
        .filter(user_id=user.pk)
        .exclude(pk=keep)
        .order_by("pk")  # one lock order: two of these at once cannot deadlock
    )
    _end(records)
    return len(records)


def logged_out(*, token: Any = None, jti: str | None = None) -> None:
    """The credential was ended by a logout: so is its sign-in."""
    if token is not None:
        LoginRecord.objects.filter(kind=LoginRecord.Kind.TOKEN, key=token_key(token.key)).delete()
    if jti:
        LoginRecord.objects.filter(kind=LoginRecord.Kind.JWT, key=jti).delete()


def forget(user: Any) -> None:
    """Every credential of ``user`` ended (a password change): so did their sign-ins."""
    LoginRecord.objects.filter(user_id=user.pk).delete()


def _end(records: list[LoginRecord]) -> None:
    from dj_rest_auth.models import TokenModel

    tokens = [r for r in records if r.kind == LoginRecord.Kind.TOKEN]
    if tokens and TokenModel is not None:
        keys = {r.key for r in tokens}
        for token in TokenModel.objects.filter(user_id=tokens[0].user_id):
            if token_key(token.key) in keys:
                token.delete()
    jtis = [r.key for r in records if r.kind == LoginRecord.Kind.JWT]
    if jtis and apps.is_installed("rest_framework_simplejwt.token_blacklist"):
        from rest_framework_simplejwt.token_blacklist.models import (
            BlacklistedToken,
            OutstandingToken,
        )

        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=t) for t in OutstandingToken.objects.filter(jti__in=jtis)],
            ignore_conflicts=True,
        )
    LoginRecord.objects.filter(pk__in=[r.pk for r in records]).delete()
