"""Credentials die with the password.

``revoke_credentials`` is the one place that ends a user's credentials. The
receiver ``revoke_on_password_change`` calls it whenever a password is set
(``set_password()``) or wiped (``set_unusable_password()``) and saved: the
API's password change and reset, Django's admin, ``changepassword``, allauth's
own flows and any code of the host project. Sessions need nothing: Django
checks every session against a hash of the password, so they end with it.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps


def revoke_credentials(user: Any) -> None:
    """Delete the user's DRF tokens and blacklist every outstanding JWT refresh token
    (their sign-ins go too)."""
    from dj_rest_auth.models import TokenModel

    from .sessions import forget

    forget(user)
    if TokenModel is not None and apps.is_installed("rest_framework.authtoken"):
        TokenModel.objects.filter(user=user).delete()
    if apps.is_installed("rest_framework_simplejwt.token_blacklist"):
        from rest_framework_simplejwt.token_blacklist.models import (
            BlacklistedToken,
            OutstandingToken,
        )

        outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
        BlacklistedToken.objects.bulk_create(
            [BlacklistedToken(token=token) for token in outstanding],
            ignore_conflicts=True,  # a rotation may blacklist one at the same time
        )


def issue_credentials(user: Any, request: Any = None) -> dict[str, Any]:
    """Fresh credentials in the project's login mode: ``{"key"}`` or ``{"access", "refresh"}``,
    recorded as a sign-in of the client of ``request``."""
    from dj_rest_auth.app_settings import api_settings
    from dj_rest_auth.models import TokenModel
    from dj_rest_auth.utils import jwt_encode

    from .sessions import record_refresh, record_token

    if api_settings.USE_JWT:
        _access, refresh = jwt_encode(user)
        access = record_refresh(request, user, refresh)
        return {"access": str(access), "refresh": str(refresh)}
    if TokenModel is not None:
        token = api_settings.TOKEN_CREATOR(TokenModel, user, None)
        record_token(request, user, token)
        return {"key": token.key}
    return {}


def lock_user(**lookup: Any) -> str | None:
    """Lock the user's row until the transaction ends; its password hash (None: no user).

    A password change updates this row, so it waits for whoever holds the
    lock, and whoever locks after it sees the new hash.
    """
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        ._default_manager.select_for_update()
        .filter(**lookup)
        .values_list("password", flat=True)
        .first()
    )


def password_unchanged(user: Any) -> bool:
    """Lock the user's row; whether its password is still the one ``user`` was loaded with.

    A login checks the password and then issues a token: if a change
    committed in between, the token would outlive it.
    """
    return lock_user(pk=user.pk) == user.password


def save_password(form: Any) -> Any:
    """Save the new password of a valid ``SetPasswordForm`` alone; returns the user.

    The rest of the row was read earlier and may be stale. The save ends the
    user's other credentials (the ``revoke_on_password_change`` receiver).
    """
    user = form.save(commit=False)
    user.save(update_fields=["password"])
    return user
