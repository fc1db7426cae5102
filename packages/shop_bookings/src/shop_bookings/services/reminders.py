"""Reminders: one outbox row per booking, due ``REMINDER_BEFORE_MINUTES`` before its start.

Planned when a booking is made and planned again when it moves (the unsent
reminder of the old start is dropped: a sender holding it marks nothing).
A reminder whose time has already come when it is planned is due at once.
It is sent only while the booking is pending or confirmed and still ahead
(``selectors.deliverable_notifications``); a canceled booking's is dropped.
"""

from __future__ import annotations

from datetime import timedelta

from ..conf import app_settings
from ..models import Booking, BookingNotification
from .notifications import Event, queue


def plan_reminder(booking: Booking) -> BookingNotification | None:
    """(Re)write the booking's unsent reminder for its current start; call in its transaction."""
    drop_reminder(booking)
    due = booking.start - timedelta(minutes=app_settings.REMINDER_BEFORE_MINUTES)
    return queue(booking, Event.REMINDER, due=due)


def drop_reminder(booking: Booking) -> None:
    """Forget the unsent reminder of a booking that no longer takes place."""
    booking.notifications.filter(event=Event.REMINDER, sent_at__isnull=True).delete()
