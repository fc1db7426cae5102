"""A small iCalendar (RFC 5545) writer for the booking feeds.

Written by hand rather than with the ``icalendar`` library: a feed needs
one VCALENDAR of VEVENTs with UTC times, and the format rules that matter
are few - escape TEXT values (backslash, semicolon, comma, newline), end
lines with CRLF, fold lines longer than 75 octets (without splitting a
UTF-8 character) - and are tested in ``tests/test_ics.py``. One dependency
less for every project that installs the package.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from django.utils.translation import gettext as _

from .models import Booking, BookingStatus
from .users import name_of

CRLF = "\r\n"

# RFC 5545 spells it CANCELLED; calendar apps remove such events.
STATUS_TO_ICS = {
    BookingStatus.PENDING: "TENTATIVE",
    BookingStatus.CONFIRMED: "CONFIRMED",
    BookingStatus.COMPLETED: "CONFIRMED",
    BookingStatus.NO_SHOW: "CANCELLED",
    BookingStatus.CANCELED: "CANCELLED",
}


def escape_text(value: str) -> str:
    """Escape a TEXT property value (RFC 5545, 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str, limit: int = 75) -> str:
    """Fold a content line into chunks of at most ``limit`` octets (RFC 5545, 3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= limit:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    budget = limit
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > budget:
            parts.append(current)
            current, size = "", 0
            budget = limit - 1  # continuation lines start with a space
        current += char
        size += width
    parts.append(current)
    return (CRLF + " ").join(parts)


def format_utc(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def render_calendar(*, name: str, prodid: str, events: Iterable[dict[str, object]]) -> str:
    """A VCALENDAR; each event maps property names to str (TEXT, escaped here) or datetime."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{prodid}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines.append("BEGIN:VEVENT")
        for key, value in event.items():
            if isinstance(value, datetime):
                lines.append(f"{key}:{format_utc(value)}")
            elif key in ("UID", "STATUS"):
                lines.append(f"{key}:{value}")
            else:
                lines.append(f"{key}:{escape_text(str(value))}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return CRLF.join(fold(line) for line in lines) + CRLF


def booking_event(booking: Booking, *, user: Any, domain: str) -> dict[str, object]:
    """The VEVENT of a booking in ``user``'s feed: named after the other party."""
    if booking.specialist.user_id == user.pk:
        other = name_of(booking.client)
    else:
        other = booking.specialist.display_name
    return {
        "UID": f"booking-{booking.pk}@{domain}",
        "DTSTAMP": booking.updated_at,
        "LAST-MODIFIED": booking.updated_at,
        "DTSTART": booking.start,
        "DTEND": booking.end,
        "SUMMARY": f"{booking.service_name} - {other}",
        "DESCRIPTION": booking.comment,
        "STATUS": STATUS_TO_ICS[booking.status],
    }


def feed(bookings: Iterable[Booking], *, user: Any, domain: str) -> str:
    """The private calendar of ``user``: ``bookings`` (as client and as specialist)."""
    events = [booking_event(booking, user=user, domain=domain) for booking in bookings]
    return render_calendar(
        name=_("Bookings"), prodid=f"-//{domain}//shop-bookings//EN", events=events
    )
