"""Notifications as outbox rows: written with the change, sent after the commit, retried.

``queue_order_placed`` and ``queue_status_changed`` write one ``Notification``
row per message inside the transaction that placed the order or moved the
part: a rolled-back checkout sends nothing, a committed one cannot lose its
messages. The receivers (``shop_orders.receivers``) hand the rows to the task
``send_notification`` after the commit.

``deliver`` and ``deliver_due`` send through ``shop_core.delivery``: a row is
claimed with one conditional UPDATE and a lease, so two workers never send
one message at once; it is marked sent only after the notifier returned; a
notifier that raises (a mail server down) leaves it unsent with the error
and a back-off, and the next ``deliver_due`` (task
``send_due_notifications``, command ``send_order_notifications``) retries it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, prefetch_related_objects

from shop_core import delivery

from ..conf import app_settings
from ..models import Notification, Order, OrderLine, OrderPart, StatusChange

Event = Notification.Event


def queue_order_placed(order: Order) -> list[Notification]:
    """Rows for the customer and for each shop of a new order (call in its transaction)."""
    # The parts checkout left in the order's prefetch cache (else one query);
    # a part of external items has no shop to tell.
    parts = sorted((p for p in order.parts.all() if p.shop_id), key=lambda part: part.pk)
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
    return Notification.objects.bulk_create(rows)


def deliver(notification_id: int, *, now: datetime | None = None) -> bool:
    """Send one notification unless it was sent, is not due, or another sender holds it.

    Returns whether it was sent now. A notifier that raises is logged and
    recorded (``attempts``, ``last_error``, ``due`` after a back-off); nothing
    propagates.
    """
    notifier_class = app_settings.NOTIFIER
    if notifier_class is None:
        return False
    sent = delivery.deliver(
        Notification.objects.all(),
        pk=notification_id,
        send=lambda: _send(notifier_class(), notification_id),
        max_attempts=app_settings.NOTIFICATION_MAX_ATTEMPTS,
        now=now,
    )
    return bool(sent)


def deliver_due(*, now: datetime | None = None) -> int:
    """Send every notification that is due (new, or failed and past its back-off).

    Returns how many were sent."""
    notifier_class = app_settings.NOTIFIER
    if notifier_class is None:
        return 0
    sent, _failed = delivery.deliver_due(
        Notification.objects.all(),
        send=lambda notification_id: _send(notifier_class(), notification_id),
        max_attempts=app_settings.NOTIFICATION_MAX_ATTEMPTS,
        now=now,
    )
    return sent


def _placed_order(row: Notification) -> Order:
    lines = Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
    parts = OrderPart.objects.prefetch_related(lines)
    prefetch_related_objects([row.order], Prefetch("parts", queryset=parts))
    return row.order


def _placed_part(row: Notification) -> OrderPart:
    lines = Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
    prefetch_related_objects([row.part], "shop__staff", lines)
    return row.part


def _status_change(row: Notification) -> StatusChange:
    return row.change


# event -> (the notifier's method, what it receives)
EVENTS: dict[str, tuple[str, Callable[[Notification], Any]]] = {
    Event.ORDER_PLACED: ("order_placed", _placed_order),
    Event.SHOP_ORDER_PLACED: ("shop_order_placed", _placed_part),
    Event.STATUS_CHANGED: ("status_changed", _status_change),
}
# What any event's object needs, read with the row in one query (LEFT JOINs).
ROW_JOINS = (
    "order",
    "part__shop__owner",
    "part__order",
    "change__order",
    "change__part",
    "change__by",
)


def _send(notifier: Any, notification_id: int) -> None:
    """Call the notifier's method for one row's event with its object (raises what it raises)."""
    row = Notification.objects.select_related(*ROW_JOINS).get(pk=notification_id)
    method, load = EVENTS[row.event]
    getattr(notifier, method)(load(row))
