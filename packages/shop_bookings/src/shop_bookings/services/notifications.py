"""Notifications as outbox rows: written with the change, sent after the commit, retried.

``queue()`` writes a ``BookingNotification`` row inside the transaction of
the change it reports (the package's receivers call it), so a rolled-back
booking tells nobody and a committed one cannot lose its messages. The
receivers then hand the row to the task ``send_booking_notification`` after
the commit.

Sending is ``shop_core.delivery``: ``deliver()`` claims the row with one
conditional UPDATE and a lease (``SEND_LEASE_MINUTES``), calls the NOTIFIER
and marks the row sent only after it returned; a NOTIFIER that raises leaves
the row unsent with its error and a back-off, and ``deliver_due()`` (cron:
``manage.py send_booking_reminders``) tries it again. A reminder is sent
only while its booking is pending or confirmed and still ahead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from shop_core.delivery import deliver, deliver_due

from ..conf import app_settings
from ..models import Booking, BookingNotification, BookingStatusChange
from ..selectors import deliverable_notifications

Event = BookingNotification.Event


def queue(
    booking: Booking, event: str, *, change: BookingStatusChange | None = None, due=None
) -> BookingNotification | None:
    """The outbox row for ``event`` (call in the change's transaction); None without a NOTIFIER."""
    if app_settings.NOTIFIER is None:
        return None
    return BookingNotification.objects.create(
        booking=booking, event=event, change=change, due=due or timezone.now()
    )


def _delivery(now: datetime | None) -> dict[str, Any]:
    return {
        "max_attempts": app_settings.NOTIFICATION_MAX_ATTEMPTS,
        "lease": timedelta(minutes=app_settings.SEND_LEASE_MINUTES),
        "now": now or timezone.now(),
    }


def send_one(notification_id: int, *, now: datetime | None = None) -> bool | None:
    """Send one row now if it is due: True sent, False failed (retried later), None not sent.

    None: sent already, not due yet, out of attempts, held by another sender,
    a reminder of a booking no longer active, or no NOTIFIER.
    """
    if app_settings.NOTIFIER is None:
        return None
    options = _delivery(now)
    return deliver(
        deliverable_notifications(now=options["now"]),
        pk=notification_id,
        send=lambda: notify(notification_id),
        **options,
    )


def send_due(*, reminders: bool, now: datetime | None = None) -> dict[str, int]:
    """Send every due reminder (``reminders=True``) or every other due row.

    ``{"sent": n, "failed": m}``; a failure is logged and the batch goes on.
    """
    if app_settings.NOTIFIER is None:
        return {"sent": 0, "failed": 0}
    options = _delivery(now)
    rows = deliverable_notifications(now=options["now"])
    rows = rows.filter(event=Event.REMINDER) if reminders else rows.exclude(event=Event.REMINDER)
    sent, failed = deliver_due(rows, send=notify, **options)
    return {"sent": sent, "failed": failed}


def notify(notification_id: int) -> None:
    """Call the NOTIFIER's method for one row (raises whatever it raises)."""
    row = BookingNotification.objects.select_related("change__changed_by").get(pk=notification_id)
    booking = Booking.objects.select_related("specialist__user", "client", "service").get(
        pk=row.booking_id
    )
    notifier = app_settings.NOTIFIER()
    if row.event == Event.CREATED:
        notifier.booking_created(booking)
    elif row.event == Event.STATUS_CHANGED:
        notifier.booking_status_changed(booking, row.change)
    elif row.event == Event.RESCHEDULED:
        notifier.booking_rescheduled(booking, row.change)
    else:
        notifier.booking_reminder(booking)
