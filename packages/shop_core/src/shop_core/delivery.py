"""Outbox delivery: a message is sent at least once, never by two senders at once.

A package keeps its messages (e-mails, reminders) as rows written in the
same transaction as the change they announce, on a model built on the
abstract ``Outbox`` below: ``sent_at`` (null until sent), ``due`` (when it may
be tried next), ``attempts`` and ``last_error``. ``deliver(rows, send=...)``:

1. claims the row with one conditional UPDATE ("not sent, due, attempts
   left"), pushing ``due`` by ``lease``: the database lets one sender win;
2. calls ``send()``;
3. marks it sent only after ``send()`` returned; a ``send()`` that raises
   records the error and sets ``due`` after a back-off (1, 2, 4 ... minutes,
   at most ``retry_longest``), so the next run retries it.

At least once, not exactly once: a process killed after the e-mail left but
before ``sent_at`` was written sends it again after the lease. Choose a
lease longer than the slowest send (the SMTP timeout).

Why a lease and not ``select_for_update(skip_locked=True)`` around the send:
the lock would keep a transaction open for the whole SMTP exchange (on
SQLite that blocks every writer of the site), and SQLite ignores the lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
RETRY_FIRST = timedelta(minutes=1)
RETRY_LONGEST = timedelta(hours=6)


class Outbox(models.Model):
    """Abstract base of an outbox row: the four columns ``deliver`` reads and writes.

    An abstract model makes no table and needs no ``INSTALLED_APPS`` entry;
    the package's concrete model adds what the message is about and its own
    ``Meta`` (with an index on ``due`` for unsent rows).
    """

    # Not to be tried before this instant: the retry back-off, and the lease of a claim.
    due = models.DateTimeField(_("due"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        abstract = True


def sendable(rows: QuerySet, *, now: datetime, max_attempts: int) -> QuerySet:
    """The rows of ``rows`` not sent yet, due by ``now``, with attempts left."""
    return rows.filter(sent_at__isnull=True, due__lte=now, attempts__lt=max_attempts)


def retry_delay(attempts: int, *, longest: timedelta = RETRY_LONGEST) -> timedelta:
    """1, 2, 4 ... minutes after the 1st, 2nd, 3rd ... failed attempt, at most ``longest``."""
    doublings = min(max(attempts - 1, 0), 20)  # 2**20 minutes is past any sensible longest
    return min(RETRY_FIRST * 2**doublings, longest)


def deliver(
    rows: QuerySet,
    *,
    pk: Any,
    send: Callable[[], Any],
    max_attempts: int,
    now: datetime | None = None,
    lease: timedelta = LEASE,
) -> bool | None:
    """Claim row ``pk`` of ``rows``, call ``send()``, mark it sent.

    True: sent now. False: ``send()`` raised (logged and recorded, retried
    after a back-off; nothing propagates). None: not claimed (already sent,
    not due, out of attempts, held by another sender, or no longer in
    ``rows``, which may narrow what may still be sent: an active booking).
    """
    now = now or timezone.now()
    # The row's own columns are tested in the UPDATE itself, never only inside a
    # subquery: Django turns a filter across a relation (``rows`` may narrow by
    # the booking's status) into ``WHERE id IN (SELECT ...)``, which PostgreSQL
    # does not re-check after waiting for a concurrent claim, so two senders
    # could both win the row.
    mine = rows.model._default_manager.filter(pk=pk)
    claimed = sendable(
        mine.filter(pk__in=rows.filter(pk=pk).values("pk")), now=now, max_attempts=max_attempts
    ).update(due=now + lease, attempts=F("attempts") + 1)
    if not claimed:
        return None
    try:
        send()
    except Exception as exc:  # any sender failure: record it, retry later
        attempts = mine.values_list("attempts", flat=True).first() or 1
        logger.warning(
            "Delivery of %s %s failed (attempt %s)",
            rows.model.__name__,
            pk,
            attempts,
            exc_info=True,
        )
        mine.update(
            last_error=f"{type(exc).__name__}: {exc}"[:2000], due=now + retry_delay(attempts)
        )
        return False
    mine.update(sent_at=timezone.now(), last_error="")
    return True


def deliver_due(
    rows: QuerySet,
    *,
    send: Callable[[Any], Any],
    max_attempts: int,
    now: datetime | None = None,
    lease: timedelta = LEASE,
) -> tuple[int, int]:
    """Try every row of ``rows`` that is due; ``send(pk)`` sends one. ``(sent, failed)``."""
    now = now or timezone.now()
    due = list(
        sendable(rows, now=now, max_attempts=max_attempts)
        .order_by("due", "pk")
        .values_list("pk", flat=True)
    )
    outcomes = [
        deliver(
            rows,
            pk=pk,
            send=lambda pk=pk: send(pk),
            max_attempts=max_attempts,
            now=now,
            lease=lease,
        )
        for pk in due
    ]
    return outcomes.count(True), outcomes.count(False)
