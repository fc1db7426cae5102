"""The default notifier: plain-text e-mails to the client and the specialist.

``SHOP_BOOKINGS["NOTIFIER"]`` names the notifier class (``None``: no
notifications). It is instantiated with no arguments inside the background
task and must offer one method per event, each receiving the objects:

``booking_created(booking: Booking) -> None``
    A booking was made (``pending`` or ``confirmed``).
``booking_status_changed(booking: Booking, change: BookingStatusChange) -> None``
    Confirmed, canceled, completed or marked no-show (``change.from_status``,
    ``change.to_status``, ``change.changed_by``, ``change.comment``).
``booking_rescheduled(booking: Booking, change: BookingStatusChange) -> None``
    The client or the specialist moved it (``booking.start`` is the new
    start, ``change.changed_by`` who moved it).
``booking_reminder(booking: Booking) -> None``
    ``REMINDER_BEFORE_MINUTES`` before a pending or confirmed booking.

``booking.specialist.user``, ``booking.client`` and ``booking.service`` are
selected. Raising means "failed, retry later": the outbox row records the
error and is tried again after a back-off (README, "Notifications"). A call
is the unit of retry, so a method that sends several messages resends those
that went out before the one that failed.

Subclass ``EmailNotifier`` to change texts, recipients or ``from_email``, or
write any class with the four methods to send SMS or push messages.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from .models import Booking, BookingStatus, BookingStatusChange
from .users import email_of

NOTIFIER_METHODS = (
    "booking_created",
    "booking_status_changed",
    "booking_rescheduled",
    "booking_reminder",
)


class EmailNotifier:
    """E-mails: the client hears of every event; the specialist of new, canceled,
    rescheduled bookings and of reminders. Each reads times in their own zone: the
    client in the booking's ``client_time_zone``, the specialist in theirs."""

    from_email: str | None = None  # None: settings.DEFAULT_FROM_EMAIL

    def send(self, *, subject: str, body: str, to: list[Any]) -> None:
        """One e-mail per address, in order (the client's first); users without one are skipped."""
        for address in dict.fromkeys(email_of(user) for user in to):
            if address:
                send_mail(subject, body, self.from_email or settings.DEFAULT_FROM_EMAIL, [address])

    def describe(self, booking: Booking, zone: ZoneInfo | None = None) -> str:
        """The booking in one line, its start in ``zone`` (default: the specialist's)."""
        zone = zone or booking.specialist.zone
        local_start = booking.start.astimezone(zone)
        return _("%(service)s with %(specialist)s on %(when)s (%(zone)s). Status: %(status)s.") % {
            "service": booking.service_name,
            "specialist": booking.specialist.display_name,
            "when": local_start.strftime("%Y-%m-%d %H:%M"),
            "zone": zone.key,
            "status": booking.get_status_display(),
        }

    def notify(self, booking: Booking, title: str, *, specialist_too: bool) -> None:
        """The client's message in their zone, then the specialist's in theirs."""
        subject = f"{title}: {booking.service_name}"
        self.send(
            subject=subject, body=self.describe(booking, booking.client_zone), to=[booking.client]
        )
        if specialist_too:
            self.send(subject=subject, body=self.describe(booking), to=[booking.specialist.user])

    def booking_created(self, booking: Booking) -> None:
        self.notify(booking, _("New booking"), specialist_too=True)

    def booking_status_changed(self, booking: Booking, change: BookingStatusChange) -> None:
        titles = {
            BookingStatus.CONFIRMED: _("Booking confirmed"),
            BookingStatus.CANCELED: _("Booking canceled"),
            BookingStatus.COMPLETED: _("Booking completed"),
            BookingStatus.NO_SHOW: _("Booking marked as no-show"),
        }
        title = titles.get(change.to_status, change.get_to_status_display())
        self.notify(booking, title, specialist_too=change.to_status == BookingStatus.CANCELED)

    def booking_rescheduled(self, booking: Booking, change: BookingStatusChange) -> None:
        self.notify(booking, _("Booking rescheduled"), specialist_too=True)

    def booking_reminder(self, booking: Booking) -> None:
        self.notify(booking, _("Booking reminder"), specialist_too=True)
