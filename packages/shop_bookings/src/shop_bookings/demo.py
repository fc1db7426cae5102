"""Idempotent demo data for a reference site's ``demo_data`` command.

Not used by the package itself. Run it again and it changes nothing: rows
are found by natural keys (user, name, weekday) before being created.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from .conf import app_settings
from .exceptions import BookingRejected
from .models import Booking, Service, Specialist, WorkingHours
from .selectors import free_slots_for
from .services import complete_booking, create_booking, mark_no_show

DEMO_SPECIALISTS = [
    {
        "display_name": "Anna Petrova",
        "city": "Moscow",
        "time_zone": "Europe/Moscow",
        "bio": "Hair stylist, colouring.",
        "experience_years": 8,
        "services": [
            ("Haircut", Decimal("1500.00"), 60, 0, 10, False),
            ("Colouring", Decimal("4500.00"), 120, 0, 15, True),
        ],
    },
    {
        "display_name": "Boris Schmidt",
        "city": "Berlin",
        "time_zone": "Europe/Berlin",
        "bio": "Massage therapist.",
        "experience_years": 12,
        "services": [("Massage", Decimal("5500.00"), 60, 5, 10, False)],
    },
]


def _demo_specialist(user, data: dict, group: Group) -> Specialist:
    user.groups.add(group)
    fields = {k: v for k, v in data.items() if k != "services"}
    specialist, _created = Specialist.objects.get_or_create(user=user, defaults=fields)
    for name, price, duration, before, after, confirm in data["services"]:
        Service.objects.get_or_create(
            specialist=specialist,
            name=name,
            defaults={
                "price": price,
                "duration_minutes": duration,
                "buffer_before_minutes": before,
                "buffer_after_minutes": after,
                "requires_confirmation": confirm,
            },
        )
    for weekday in range(5):
        for start, end in ((time(9), time(13)), (time(14), time(18))):
            WorkingHours.objects.get_or_create(
                specialist=specialist, weekday=weekday, start=start, end=end
            )
    return specialist


def _spread(starts: list[datetime], count: int) -> list[datetime]:
    return starts[:: max(1, len(starts) // max(count, 1))]


def _demo_bookings(specialist: Specialist, clients: list, bookings: int) -> None:
    """Up to ``bookings`` free slots of the next two weeks, spread out, for ``clients``."""
    service = specialist.services.order_by("pk").first()
    window_start = timezone.now() + timedelta(days=1)
    free = free_slots_for(
        specialist=specialist,
        service=service,
        window_start=window_start,
        window_end=window_start + timedelta(days=14),
    )
    made = 0
    for start in _spread(free, bookings):
        if made >= bookings:
            break
        try:
            create_booking(client=clients[made % len(clients)], service=service, start=start)
        except BookingRejected:
            continue
        made += 1


def _past_bookings(specialist: Specialist, clients: list, bookings: int) -> None:
    """Up to ``bookings`` of the past two weeks, booked as they were then (the
    services' ``now`` moved back) and, once started, completed (every fourth a
    no-show) by the specialist."""
    now = timezone.now()
    then = now - timedelta(days=15)
    made = 0
    for service in specialist.services.filter(requires_confirmation=False).order_by("pk")[:1]:
        free = free_slots_for(
            specialist=specialist,
            service=service,
            window_start=then + timedelta(days=1),
            window_end=now - timedelta(hours=2),
            now=then,
        )
        for start in _spread(free, bookings):
            if made >= bookings:
                break
            client = clients[made % len(clients)]
            try:
                booking, _created = create_booking(
                    client=client, service=service, start=start, now=then
                )
            except BookingRejected:
                continue
            finish = mark_no_show if made % 4 == 3 else complete_booking
            finish(booking=booking, by=specialist.user, now=booking.end)
            made += 1


def create_demo_data(
    *, specialist_users: list, clients: list, bookings: int = 3, past_bookings: int = 0
) -> None:
    """Give ``specialist_users`` (as many as DEMO_SPECIALISTS) profiles, services and
    Mon-Fri 09:00-13:00 and 14:00-18:00 hours; unless they already have bookings,
    book up to ``bookings`` free slots of the next two weeks for ``clients`` and
    ``past_bookings`` of the past two weeks, completed or no-show.
    """
    group, _created = Group.objects.get_or_create(name=app_settings.SPECIALIST_GROUP)
    for user, data in zip(specialist_users, DEMO_SPECIALISTS, strict=False):
        specialist = _demo_specialist(user, data, group)
        if clients and not Booking.objects.filter(specialist=specialist).exists():
            _past_bookings(specialist, clients, past_bookings)
            _demo_bookings(specialist, clients, bookings)


__all__ = ["DEMO_SPECIALISTS", "create_demo_data"]
