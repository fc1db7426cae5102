"""Notifications as outbox rows: written with the change, sent after the commit, retried.

``queue_order_placed`` and ``queue_status_changed`` write one ``Notification``
row per message inside the transaction that placed the order or moved the
part: a rolled-back checkout sends nothing, a committed one cannot lose its
messages. After the commit each row is handed to the task
``send_notification`` (``transaction.on_commit(robust=True)``: a task backend
that is down is logged, never a 500).

``deliver`` claims a row with one conditional UPDATE (unsent, due, attempts
left; the claim pushes ``due`` by ``LEASE``), so two workers never send one
message at once. It marks the row sent only after the notifier returned; a
notifier that raises (a mail server down) leaves it unsent with the error and
a back-off. ``deliver_due`` (task ``send_due_notifications``, command
``send_order_notifications``, run by a scheduler) sends what is due again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Prefetch
from django.utils import timezone

from ..conf import app_settings
from ..models import Notification, Order, OrderLine, OrderPart, StatusChange

logger = logging.getLogger(__name__)

Event = Notification.Event

# A claimed row is left alone this long; a sender that died is retried after it.
LEASE = timedelta(minutes=10)
RETRY_FIRST = timedelta(minutes=1)  # doubled after each failed attempt
RETRY_LONGEST = timedelta(hours=6)


def queue_order_placed(order: Order) -> list[Notification]:
    """Rows for the customer and for each shop of a new order (call in its transaction)."""
    parts = OrderPart.objects.filter(order=order).order_by("pk")
    return _queue(
        [
            Notification(event=Event.ORDER_PLACED, order=order),
            *[Notification(event=Event.SHOP_ORDER_PLACED, order=order, part=p) for p in parts],
        ]
    )


def queue_status_changed(change: StatusChange) -> list[Notification]:
    """The row telling the customer that a part moved (call in the move's transaction)."""
    return _queue(
        [
            Notification(
                event=Event.STATUS_CHANGED,
                order_id=change.order_id,
                part_id=change.part_id,
                change=change,
            )
        ]
    )


def _queue(rows: list[Notification]) -> list[Notification]:
    if app_settings.NOTIFIER is None:
        return []
    rows = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return rows


def _enqueue(ids: Iterable[int]) -> None:
    from ..tasks import send_notification

    task = send_notification.using(backend=app_settings.TASK_BACKEND)
    for notification_id in ids:
        task.enqueue(notification_id)


def _retry_delay(attempts: int) -> timedelta:
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_LONGEST)


def _sendable(now: datetime) -> Any:
    return Notification.objects.filter(
        sent_at__isnull=True, due__lte=now, attempts__lt=app_settings.NOTIFICATION_MAX_ATTEMPTS
    )


def deliver(notification_id: int, *, now: datetime | None = None) -> bool:
    """Send one notification unless it was sent, is not due, or another sender holds it.

    Returns whether it was sent now. A notifier that raises is logged and
    recorded (``attempts``, ``last_error``, ``due`` after a back-off); nothing
    propagates.
    """
    notifier_class = app_settings.NOTIFIER
    if notifier_class is None:
        return False
    now = now or timezone.now()
    claimed = (
        _sendable(now)
        .filter(pk=notification_id)
        .update(due=now + LEASE, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    row = Notification.objects.get(pk=notification_id)
    try:
        _send(notifier_class(), row)
    except Exception as exc:  # any notifier failure: record it, retry later
        logger.warning("Notification %s failed (attempt %s)", row.pk, row.attempts, exc_info=True)
        Notification.objects.filter(pk=row.pk).update(
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            due=now + _retry_delay(row.attempts),
        )
        return False
    Notification.objects.filter(pk=row.pk).update(sent_at=timezone.now(), last_error="")
    return True


def deliver_due(*, now: datetime | None = None) -> int:
    """Send every notification that is due (new, or failed and past its back-off).

    Returns how many were sent."""
    now = now or timezone.now()
    due = list(_sendable(now).order_by("due", "pk").values_list("pk", flat=True))
    return sum(deliver(notification_id, now=now) for notification_id in due)


def _send(notifier: Any, row: Notification) -> None:
    if row.event == Event.ORDER_PLACED:
        lines = Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
        parts = OrderPart.objects.prefetch_related(lines)
        order = Order.objects.prefetch_related(Prefetch("parts", queryset=parts)).get(
            pk=row.order_id
        )
        notifier.order_placed(order)
    elif row.event == Event.SHOP_ORDER_PLACED:
        part = (
            OrderPart.objects.select_related("shop__owner", "order")
            .prefetch_related(
                "shop__staff", Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
            )
            .get(pk=row.part_id)
        )
        notifier.shop_order_placed(part)
    else:
        change = StatusChange.objects.select_related("order", "part", "by").get(pk=row.change_id)
        notifier.status_changed(change)
