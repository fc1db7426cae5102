"""Receivers of our own signals: write the outbox rows in the change's transaction,
hand them to the tasks after the commit (``robust``: a task backend that is down
is logged, never a 500 for a booking that committed; cron retries the rows)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.dispatch import receiver

from shop_core.signals import erasing_personal_data

from .models import ACTIVE_STATUSES, Booking
from .services.notifications import Event, queue
from .services.privacy import erase_personal_data
from .services.reminders import drop_reminder, plan_reminder
from .signals import booking_created, booking_rescheduled, booking_status_changed
from .tasks import enqueue_notifications


def _send_after_commit(*rows: Any) -> None:
    transaction.on_commit(partial(enqueue_notifications, rows), robust=True)


@receiver(booking_created, sender=Booking, dispatch_uid="shop_bookings.notify_created")
def notify_created(sender: Any, booking: Booking, **kwargs: Any) -> None:
    _send_after_commit(queue(booking, Event.CREATED), plan_reminder(booking))


@receiver(booking_status_changed, sender=Booking, dispatch_uid="shop_bookings.notify_status")
def notify_status_changed(sender: Any, booking: Booking, change: Any, **kwargs: Any) -> None:
    if change.to_status not in ACTIVE_STATUSES:
        drop_reminder(booking)
    _send_after_commit(queue(booking, Event.STATUS_CHANGED, change=change))


@receiver(booking_rescheduled, sender=Booking, dispatch_uid="shop_bookings.notify_rescheduled")
def notify_rescheduled(sender: Any, booking: Booking, change: Any, **kwargs: Any) -> None:
    _send_after_commit(queue(booking, Event.RESCHEDULED, change=change), plan_reminder(booking))


@receiver(erasing_personal_data, dispatch_uid="shop_bookings.erase_personal_data")
def erase_client_data(sender: Any, user: Any, **kwargs: Any) -> None:
    erase_personal_data(user=user)
