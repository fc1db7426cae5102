"""Send a reminder or a notification once: claim it, send it, then mark it sent.

Two columns of the row hold the state: ``sent_at`` (set only after the send
returned) and ``claimed_at`` (a lease). One conditional UPDATE claims the row
("not sent, and not claimed, or the claim is older than SEND_LEASE_MINUTES");
the database lets one caller win it, so two concurrent runs never both send.
A failed send clears the claim, so the next run retries it; a sender that
dies mid-way frees it when the lease expires.

At least once, not exactly once: a process killed after the e-mail left but
before ``sent_at`` was written sends it again after the lease. Choose a lease
longer than the slowest send (SMTP timeout), or a second run sends it again.

Why a lease and not ``select_for_update(skip_locked=True)`` held around the
send: the lock would keep a transaction open for the whole SMTP exchange (on
SQLite that blocks every writer of the site), and SQLite ignores the lock.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from .conf import app_settings


def claimable(*, sent: str, claimed: str, now: datetime) -> Q:
    """Rows not sent yet whose claim is free or has expired."""
    lease = timedelta(minutes=app_settings.SEND_LEASE_MINUTES)
    free = Q(**{f"{claimed}__isnull": True}) | Q(**{f"{claimed}__lt": now - lease})
    return Q(**{f"{sent}__isnull": True}) & free


def deliver_once(
    rows: QuerySet,
    *,
    send: Callable[[], Any],
    sent: str = "sent_at",
    claimed: str = "claimed_at",
    on_claim: dict[str, Any] | None = None,
    on_failure: Callable[[Exception], dict[str, Any]] | None = None,
    now: datetime | None = None,
) -> bool:
    """Claim the row of ``rows``, call ``send()``, mark it sent; False if not claimed.

    ``rows`` selects one row (and any condition it must still meet, e.g. an
    active booking). ``on_claim`` are extra columns written with the claim
    (an attempt counter), ``on_failure(exc)`` the columns written when
    ``send`` raises; the exception is re-raised after the claim is released.
    """
    now = now or timezone.now()
    won = rows.filter(claimable(sent=sent, claimed=claimed, now=now)).update(
        **{claimed: now}, **(on_claim or {})
    )
    if not won:
        return False
    # Our claim: a reschedule (which clears it) or an expired lease taken over
    # by another sender makes this match nothing, and we mark nothing.
    mine = rows.filter(**{claimed: now})
    try:
        send()
    except Exception as exc:
        mine.update(**{claimed: None}, **(on_failure(exc) if on_failure else {}))
        raise
    mine.update(**{sent: timezone.now(), claimed: None})
    return True
