"""Receivers of our own signals: write notifications (outbox rows), enqueue them after commit."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from .conf import app_settings
from .models import Booking, BookingNotification
from .signals import booking_created, booking_rescheduled, booking_status_changed


def _notify(booking: Booking, event: str) -> None:
    from .tasks import enqueue, send_booking_notification

    # The outbox row commits with the change; if the queue or the mail server
    # fails, send_booking_reminders retries it. robust: a broken queue must not
    # turn a committed booking into a 500.
    notification = BookingNotification.objects.create(booking=booking, event=event)
    transaction.on_commit(partial(enqueue, send_booking_notification, notification.pk), robust=True)


def _schedule_reminder(booking: Booking) -> None:
    from .tasks import enqueue, send_booking_reminder

    run_after = booking.start - timedelta(minutes=app_settings.REMINDER_BEFORE_MINUTES)
    if run_after > timezone.now():
        transaction.on_commit(
            partial(enqueue, send_booking_reminder, booking.pk, run_after=run_after), robust=True
        )


@receiver(booking_created, sender=Booking, dispatch_uid="shop_bookings.notify_created")
def notify_created(sender, booking: Booking, **kwargs) -> None:
    _notify(booking, "created")
    _schedule_reminder(booking)


@receiver(booking_status_changed, sender=Booking, dispatch_uid="shop_bookings.notify_status")
def notify_status_changed(sender, booking: Booking, to_status: str, **kwargs) -> None:
    _notify(booking, to_status)


@receiver(booking_rescheduled, sender=Booking, dispatch_uid="shop_bookings.notify_rescheduled")
def notify_rescheduled(sender, booking: Booking, **kwargs) -> None:
    _notify(booking, "rescheduled")
    _schedule_reminder(booking)
