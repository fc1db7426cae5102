"""Erasing a person's data (``shop_core.signals.erasing_personal_data``)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import (
    ACTIVE_STATUSES,
    Booking,
    BookingHold,
    BookingStatusChange,
    CalendarFeedToken,
    Service,
    Specialist,
)
from .status import cancel_as_erased, cancel_as_specialist_left


def erase_personal_data(*, user: Any) -> int:
    """Erase what the package stores about ``user`` as a client and as a specialist.

    As a client: their bookings ahead are canceled (their specialists are
    told), then comments, zones, keys, holds and the feed token go; bookings
    stay without their client (``client`` is set null when the user row goes).

    As a specialist: the profile is detached (``Specialist.user`` is set null
    when the user row goes), closed and stripped (``detach_specialist``), so
    the account may go while past bookings stay in the clients' history.

    Returns the number of bookings canceled.
    """
    with transaction.atomic():
        canceled = detach_specialist(user=user)
        ahead = Booking.objects.filter(
            client=user, status__in=ACTIVE_STATUSES, start__gt=timezone.now()
        )
        canceled += sum(cancel_as_erased(booking=booking) for booking in ahead)
        Booking.objects.filter(client=user).update(
            comment="", client_time_zone="", idempotency_key="", request_fingerprint=""
        )
        BookingStatusChange.objects.filter(changed_by=user).update(comment="")
        BookingHold.objects.filter(client=user).delete()
        CalendarFeedToken.objects.filter(user=user).delete()
    return canceled


def detach_specialist(*, user: Any) -> int:
    """Close the user's specialist profile for good: 0 without one.

    Under the profile's row lock (the one every booking takes), it becomes
    inactive with its services, so no booking can be made after this; its
    bookings ahead are canceled and their clients told; holds on it go; bio,
    city and photo are removed. The display name stays: it is what the
    clients' past bookings show. Returns the number of bookings canceled.
    """
    with transaction.atomic():
        specialist = Specialist.objects.select_for_update().filter(user=user).first()
        if specialist is None:
            return 0
        specialist.is_active = False
        specialist.bio = specialist.city = ""
        specialist.photo = specialist.photo_thumbnail = None  # files go after the commit
        specialist.save()
        Service.objects.filter(specialist=specialist).update(is_active=False)
        BookingHold.objects.filter(specialist=specialist).delete()
        ahead = Booking.objects.filter(
            specialist=specialist, status__in=ACTIVE_STATUSES, start__gt=timezone.now()
        )
        return sum(cancel_as_specialist_left(booking=booking) for booking in ahead)
