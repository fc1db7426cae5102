"""The default notifier: plain e-mails to the client and the specialist.

A notifier is the ``NOTIFIER`` hook: ``callable(*, event: str, booking:
Booking) -> None``. Events: ``created``, ``confirmed``, ``cancelled``,
``completed``, ``no_show``, ``rescheduled``, ``reminder``. It runs inside a
task (see tasks.py), so it may be slow; it should not raise for a missing
e-mail address.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import Booking

EVENT_SUBJECTS = {
    "created": gettext_noop("New booking"),
    "confirmed": gettext_noop("Booking confirmed"),
    "cancelled": gettext_noop("Booking cancelled"),
    "completed": gettext_noop("Booking completed"),
    "no_show": gettext_noop("Booking marked as no-show"),
    "rescheduled": gettext_noop("Booking rescheduled"),
    "reminder": gettext_noop("Booking reminder"),
}

# Who hears about what: the specialist is told about changes a client makes.
SPECIALIST_EVENTS = {"created", "cancelled", "rescheduled", "reminder"}


def email_notifier(*, event: str, booking: Booking) -> None:
    """Send one e-mail per recipient; times are shown in the specialist's zone."""
    local_start = booking.start.astimezone(booking.specialist.zone)
    subject = f"{_(EVENT_SUBJECTS.get(event, event))}: {booking.service_name}"
    body = _("%(service)s with %(specialist)s on %(when)s (%(zone)s). Status: %(status)s.") % {
        "service": booking.service_name,
        "specialist": booking.specialist.display_name,
        "when": local_start.strftime("%Y-%m-%d %H:%M"),
        "zone": booking.specialist.time_zone,
        "status": booking.get_status_display(),
    }
    recipients = [booking.client.email]
    if event in SPECIALIST_EVENTS:
        recipients.append(booking.specialist.user.email)
    for address in dict.fromkeys(a for a in recipients if a):
        send_mail(subject, body, None, [address])
