"""Holding a slot for a few minutes while the client pays or fills a form.

A hold is a busy range with an expiry: the slot engine lists nothing that
overlaps a live hold and ignores it once ``now`` reaches ``expires_at``, so
a hold lapses by itself (no job frees it). It is taken like a booking, by
the engine with the specialist row locked, so two holds (or a hold and a
booking) of one slot are serialised; the holder turns it into a booking
with ``services.book_hold``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..conf import app_settings
from ..exceptions import HoldExpired
from ..models import BookingHold, Service, Specialist
from ..selectors import service_rules, service_spec
from .booking import _bookable_service, check_limits, check_slot

UTC = dt_timezone.utc


def hold_slot(
    *, client: Any, service: Service, start: datetime, now: datetime | None = None
) -> BookingHold:
    """Hold ``start`` of ``service`` for ``client`` for ``HOLD_MINUTES``.

    Refused like a booking: ``SlotUnavailable`` (the engine's reason, a live
    hold of someone else being "taken"), ``LimitReached``, ``ServiceUnavailable``.
    """
    now, start = now or timezone.now(), start.astimezone(UTC)
    with transaction.atomic():
        specialist = Specialist.objects.select_for_update().get(pk=service.specialist_id)
        service = _bookable_service(service.pk, specialist)
        spec = service_spec(service)
        policy = service_rules(service).policy()
        check_slot(
            specialist=specialist,
            start=start,
            spec=spec,
            policy=policy,
            now=now,
            service_id=service.pk,
        )
        check_limits(client=client, service=service, start=start, now=now)
        # Lapsed holds are harmless to the engine; dropping them keeps the table small.
        BookingHold.objects.filter(
            specialist=specialist, booking__isnull=True, expires_at__lte=now
        ).delete()
        end = start + spec.duration
        return BookingHold.objects.create(
            specialist=specialist,
            service=service,
            client=client,
            start=start,
            end=end,
            blocked_start=start - spec.buffer_before,
            blocked_end=end + spec.buffer_after,
            expires_at=now + timedelta(minutes=app_settings.HOLD_MINUTES),
        )


def release_hold(*, client: Any, hold: BookingHold) -> None:
    """Give a held slot back before it lapses; ``HoldExpired`` once it became a booking."""
    deleted, _rows = BookingHold.objects.filter(
        pk=hold.pk, client=client, booking__isnull=True
    ).delete()
    if not deleted:
        raise HoldExpired()
