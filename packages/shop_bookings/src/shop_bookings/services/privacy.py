"""Erasing a person's data (``shop_core.signals.erasing_personal_data``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import ACTIVE_STATUSES, Booking, BookingHold, BookingStatusChange, CalendarFeedToken
from .status import cancel_as_erased


def erase_personal_data(*, user: Any) -> int:
    """Cancel the user's bookings ahead (their specialists are told), then remove what the
    package stores about them as a client: comments, zones, keys, holds, the feed token.

    Bookings stay without their client (``client`` is set null when the user row
    goes), so the specialists' calendars and the notices keep their rows.
    Returns the number of bookings canceled.
    """
    with transaction.atomic():
        ahead = Booking.objects.filter(
            client=user, status__in=ACTIVE_STATUSES, start__gt=timezone.now()
        )
        canceled = sum(cancel_as_erased(booking=booking) for booking in ahead)
        Booking.objects.filter(client=user).update(
            comment="", client_time_zone="", idempotency_key="", request_fingerprint=""
        )
        BookingStatusChange.objects.filter(changed_by=user).update(comment="")
        BookingHold.objects.filter(client=user).delete()
        CalendarFeedToken.objects.filter(user=user).delete()
    return canceled
