"""Private calendar feed tokens: shown (created), rotated, revoked."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from ..models import CalendarFeedToken, _new_feed_token


def get_feed_token(*, user: Any) -> CalendarFeedToken:
    """The user's feed token, created on first use (the unique user column decides a race)."""
    token, _created = CalendarFeedToken.objects.get_or_create(user=user)
    return token


def rotate_feed_token(*, user: Any) -> CalendarFeedToken:
    """Replace the token: the old feed URL stops working at once."""
    with transaction.atomic():
        token, created = CalendarFeedToken.objects.select_for_update().get_or_create(user=user)
        if not created:
            token.token = _new_feed_token()
            token.save(update_fields=["token"])
    return token


def revoke_feed_token(*, user: Any) -> None:
    """Delete the token: the feed URL stops working until a new one is asked for."""
    CalendarFeedToken.objects.filter(user=user).delete()
