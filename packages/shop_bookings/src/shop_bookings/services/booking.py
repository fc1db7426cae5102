"""Booking a free slot and moving a booking to another one.

What may be booked is decided by the slot engine (``slots.refusal``, the
same function that lists free slots), checked with the specialist row
locked (``select_for_update``): two requests for one slot are serialised
on every database that has row locks, and on PostgreSQL the exclusion
constraint of migration 0002 refuses an overlap even if the check were
skipped. Either way the loser gets ``SlotUnavailable("taken")``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shop_core.idempotency import MAX_KEY_LENGTH, IdempotencyKeyReused, fingerprint

from .. import signals, slots
from ..exceptions import (
    BookingActionForbidden,
    ChangeRefused,
    InvalidIdempotencyKey,
    ServiceUnavailable,
    SlotUnavailable,
)
from ..models import ACTIVE_STATUSES, Booking, BookingStatus, Service, Specialist
from ..selectors import schedule_inputs, service_spec, slot_policy
from .status import client_cutoff_passed, lock_booking, record_change, role_of

UTC = dt_timezone.utc


def request_fingerprint(*, service_id: int, start: datetime, comment: str) -> str:
    """What a retry with the same Idempotency-Key must repeat: service, instant, comment."""
    return fingerprint(
        {"service": service_id, "start": start.astimezone(UTC).isoformat(), "comment": comment}
    )


def check_slot(
    *,
    specialist: Specialist,
    start: datetime,
    spec: slots.ServiceSpec,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> None:
    """``SlotUnavailable`` with the engine's reason unless ``start`` is a free slot."""
    inputs = schedule_inputs(
        specialist=specialist,
        window_start=start,
        window_end=start + timedelta(microseconds=1),
        exclude_booking_id=exclude_booking_id,
    )
    problem = slots.refusal(start, **inputs, service=spec, now=now, **slot_policy())
    if problem:
        raise SlotUnavailable(problem)


def _replay(*, client: Any, key: str, request: str) -> Booking | None:
    """The booking an earlier request with this key made; 422 for another request."""
    existing = Booking.objects.filter(client=client, idempotency_key=key).first()
    if existing is not None and existing.request_fingerprint != request:
        raise IdempotencyKeyReused()
    return existing


def _bookable_service(service_id: int, specialist: Specialist) -> Service:
    # Locked too: a concurrent delete of the service waits for this booking
    # (and is then refused), or wins and this booking is refused.
    service = Service.objects.select_for_update().filter(pk=service_id).first()
    if not (service and service.is_active and specialist.is_active):
        raise ServiceUnavailable()
    return service


def _insert(*, client: Any, service: Service, specialist: Specialist, start: datetime, **fields):
    spec = service_spec(service)
    end = start + spec.duration
    confirm = not service.requires_confirmation
    return Booking.objects.create(
        service=service,
        specialist=specialist,
        client=client,
        start=start,
        end=end,
        blocked_start=start - spec.buffer_before,
        blocked_end=end + spec.buffer_after,
        status=BookingStatus.CONFIRMED if confirm else BookingStatus.PENDING,
        service_name=service.name,
        price=service.price,
        **fields,
    )


def _book(
    *, client: Any, service: Service, start: datetime, comment: str, key: str, request: str, now
) -> tuple[Booking, bool]:
    # The lock serialises bookings of one specialist on every database.
    specialist = Specialist.objects.select_for_update().get(pk=service.specialist_id)
    if key and (existing := _replay(client=client, key=key, request=request)):
        return existing, False
    service = _bookable_service(service.pk, specialist)
    check_slot(specialist=specialist, start=start, spec=service_spec(service), now=now)
    booking = _insert(
        client=client,
        service=service,
        specialist=specialist,
        start=start,
        comment=comment,
        idempotency_key=key,
        request_fingerprint=request,
    )
    record_change(booking=booking, from_status="", by=client)
    signals.booking_created.send(sender=Booking, booking=booking, by=client)
    return booking, True


def create_booking(
    *,
    client: Any,
    service: Service,
    start: datetime,
    idempotency_key: str = "",
    comment: str = "",
    now: datetime | None = None,
) -> tuple[Booking, bool]:
    """Book ``service`` at ``start`` for ``client``; returns ``(booking, created)``.

    The start must be one of the free slots (the same engine lists them),
    else ``SlotUnavailable`` says why. With an ``idempotency_key`` a retry of
    the same request (same service, start and comment) returns the first
    booking with ``created=False``; another request with that key raises
    ``IdempotencyKeyReused``.
    """
    key = (idempotency_key or "").strip()
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey()
    start = start.astimezone(UTC)
    request = request_fingerprint(service_id=service.pk, start=start, comment=comment)
    if key and (existing := _replay(client=client, key=key, request=request)):
        return existing, False
    booking = dict(client=client, service=service, start=start, comment=comment)
    try:
        with transaction.atomic():
            return _book(**booking, key=key, request=request, now=now or timezone.now())
    except IntegrityError:
        # Lost a race the lock did not cover: the same key, or (PostgreSQL)
        # the exclusion constraint.
        if key and (existing := _replay(client=client, key=key, request=request)):
            return existing, False
        raise SlotUnavailable(slots.TAKEN) from None


def _lock_movable(booking: Booking, *, by: Any, now: datetime) -> Booking:
    """The booking locked (after its specialist) once the client may move it now."""
    Specialist.objects.select_for_update().get(pk=booking.specialist_id)
    locked = lock_booking(booking)
    if role_of(locked, by) != "client":
        raise BookingActionForbidden()
    if locked.status not in ACTIVE_STATUSES:
        raise ChangeRefused("invalid_transition")
    if client_cutoff_passed(locked, now):
        raise ChangeRefused("cutoff", field="start")
    if not (locked.service.is_active and locked.specialist.is_active):
        raise ServiceUnavailable()
    return locked


def _booked_spec(booking: Booking) -> slots.ServiceSpec:
    # The booking's own snapshot, not the service's current durations.
    return slots.ServiceSpec(
        duration=booking.end - booking.start,
        buffer_before=booking.start - booking.blocked_start,
        buffer_after=booking.blocked_end - booking.end,
    )


def _move(booking: Booking, start: datetime, spec: slots.ServiceSpec) -> None:
    booking.start, booking.end = start, start + spec.duration
    booking.blocked_start = start - spec.buffer_before
    booking.blocked_end = booking.end + spec.buffer_after
    if booking.service.requires_confirmation:
        booking.status = BookingStatus.PENDING
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:  # PostgreSQL's exclusion constraint
        raise SlotUnavailable(slots.TAKEN) from None


def reschedule_booking(
    *, booking: Booking, start: datetime, by: Any, comment: str = "", now: datetime | None = None
) -> Booking:
    """The client moves an active booking to another free start, until the cutoff.

    Durations and buffers are the booking's own (a snapshot), not the
    service's current ones. A confirmed booking of a service that needs
    confirmation goes back to pending. The reminder follows the new start
    (``receivers.py``).
    """
    now, start = now or timezone.now(), start.astimezone(UTC)
    with transaction.atomic():
        locked = _lock_movable(booking, by=by, now=now)
        spec = _booked_spec(locked)
        check_slot(
            specialist=locked.specialist,
            start=start,
            spec=spec,
            now=now,
            exclude_booking_id=locked.pk,
        )
        old_start, old_end, from_status = locked.start, locked.end, locked.status
        _move(locked, start, spec)
        note = f"rescheduled from {old_start.isoformat()}"
        comment = f"{note}; {comment}" if comment else note
        change = record_change(booking=locked, from_status=from_status, by=by, comment=comment)
        signals.booking_rescheduled.send(
            sender=Booking,
            booking=locked,
            old_start=old_start,
            old_end=old_end,
            by=by,
            change=change,
        )
    return locked
