"""Booking a free slot (or a held one) and moving a booking to another one.

What may be booked is decided by the slot engine (``slots.refusal``, the
same function that lists free slots, with the holds and the seats of group
sessions among its busy ranges), checked with the specialist row locked
(``select_for_update``): two requests for one slot, one seat or one
client's daily limit are serialised on every database that has row locks,
and on PostgreSQL the exclusion constraint of migration 0008 refuses an
overlap between different sessions even if the check were skipped. Either
way the loser gets ``SlotUnavailable("taken")`` (or ``"full"``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shop_core.idempotency import MAX_KEY_LENGTH, IdempotencyKeyReused, fingerprint

from .. import signals, slots
from ..conf import app_settings
from ..exceptions import (
    BookingActionForbidden,
    ChangeRefused,
    HoldExpired,
    InvalidIdempotencyKey,
    LimitReached,
    ServiceUnavailable,
    SlotUnavailable,
)
from ..models import ACTIVE_STATUSES, Booking, BookingHold, BookingStatus, Service, Specialist
from ..selectors import schedule_inputs, service_rules, service_spec
from . import payment
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
    policy: dict[str, timedelta],
    now: datetime,
    service_id: int | None = None,
    exclude_booking_id: int | None = None,
) -> None:
    """``SlotUnavailable`` with the engine's reason unless ``start`` is a free slot."""
    inputs = schedule_inputs(
        specialist=specialist,
        window_start=start,
        window_end=start + timedelta(microseconds=1),
        service_id=service_id,
        exclude_booking_id=exclude_booking_id,
    )
    problem = slots.refusal(start, **inputs, service=spec, now=now, **policy)
    if problem:
        raise SlotUnavailable(problem)


def _local_day_and_week(start: datetime, tz: Any) -> tuple[tuple, tuple]:
    """The instant ranges of the local day and ISO week (Monday on) holding ``start``."""
    day = start.astimezone(tz).date()
    monday = day - timedelta(days=day.weekday())

    def midnight(d):
        return datetime.combine(d, time(0), tzinfo=tz)

    return (
        (midnight(day), midnight(day + timedelta(days=1))),
        (midnight(monday), midnight(monday + timedelta(days=7))),
    )


def check_limits(
    *, client: Any, service: Service, start: datetime, now: datetime, exclude_hold_id=None
) -> None:
    """``LimitReached`` when the client already has the service's most bookings that local
    day or week (active bookings and live holds). Call with the specialist row locked."""
    rules = service_rules(service)
    if rules.per_day is None and rules.per_week is None:
        return
    day, week = _local_day_and_week(start, service.specialist.zone)
    bookings = Booking.objects.filter(client=client, service=service, status__in=ACTIVE_STATUSES)
    holds = BookingHold.objects.filter(
        client=client, service=service, booking__isnull=True, expires_at__gt=now
    ).exclude(pk=exclude_hold_id)
    for limit, (first, last), code in (
        (rules.per_day, day, "day_limit"),
        (rules.per_week, week, "week_limit"),
    ):
        if limit is None:
            continue
        taken = bookings.filter(start__gte=first, start__lt=last).count()
        taken += holds.filter(start__gte=first, start__lt=last).count()
        if taken >= limit:
            raise LimitReached(code)


def session_key(*, service: Service, start: datetime, exclude_booking_id=None) -> uuid.UUID:
    """The session key of a new seat: that of the group session already at ``start``, or a new
    one (a single seat always has its own). Call with the specialist row locked."""
    if service.capacity > 1:
        seats = Booking.objects.filter(service=service, start=start, status__in=ACTIVE_STATUSES)
        found = seats.exclude(pk=exclude_booking_id).values_list("session", flat=True).first()
        if found is not None:
            return found
    return uuid.uuid4()


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
    service.specialist = specialist
    return service


def client_zone_name(specialist: Specialist, time_zone: str = "") -> str:
    """The zone a client's notices use: the one they sent, else the settings', else the
    specialist's (a name validated by the serializer)."""
    return time_zone or app_settings.DEFAULT_CLIENT_TIME_ZONE or specialist.time_zone


def _insert(*, client: Any, service: Service, specialist: Specialist, start: datetime, **fields):
    spec = service_spec(service)
    end = start + spec.duration
    confirm = not service.requires_confirmation
    booking = Booking.objects.create(
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
        session=session_key(service=service, start=start),
        **fields,
    )
    record_change(booking=booking, from_status="", by=client)
    signals.booking_created.send(sender=Booking, booking=booking, by=client)
    payment.booking_created(booking)
    return booking


def _book(
    *,
    client: Any,
    service: Service,
    start: datetime,
    comment: str,
    time_zone: str,
    key: str,
    request: str,
    now: datetime,
) -> tuple[Booking, bool]:
    # The lock serialises bookings (seats, limits) of one specialist on every database.
    specialist = Specialist.objects.select_for_update().get(pk=service.specialist_id)
    if key and (existing := _replay(client=client, key=key, request=request)):
        return existing, False
    service = _bookable_service(service.pk, specialist)
    check_slot(
        specialist=specialist,
        start=start,
        spec=service_spec(service),
        policy=service_rules(service).policy(),
        now=now,
        service_id=service.pk,
    )
    check_limits(client=client, service=service, start=start, now=now)
    booking = _insert(
        client=client,
        service=service,
        specialist=specialist,
        start=start,
        comment=comment,
        client_time_zone=client_zone_name(specialist, time_zone),
        idempotency_key=key,
        request_fingerprint=request,
    )
    return booking, True


def _atomic_booking(function: Any, *, client: Any, key: str, request: str, **kwargs: Any):
    """Run ``function`` in a transaction; a lost race the lock did not cover (the same
    key, or PostgreSQL's exclusion constraint) replays the winner or is "taken"."""
    try:
        with transaction.atomic():
            return function(client=client, key=key, request=request, **kwargs)
    except IntegrityError:
        if key and (existing := _replay(client=client, key=key, request=request)):
            return existing, False
        raise SlotUnavailable(slots.TAKEN) from None


def _checked_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidIdempotencyKey()
    return key


def create_booking(
    *,
    client: Any,
    service: Service,
    start: datetime,
    idempotency_key: str = "",
    comment: str = "",
    time_zone: str = "",
    now: datetime | None = None,
) -> tuple[Booking, bool]:
    """Book ``service`` at ``start`` for ``client``; returns ``(booking, created)``.

    The start must be one of the free slots (the same engine lists them),
    else ``SlotUnavailable`` says why; the client's limits per day and week
    are ``LimitReached``. ``time_zone`` (an IANA name) is the zone of the
    client's notices. With an ``idempotency_key`` a retry of the same
    request (same service, start and comment) returns the first booking
    with ``created=False``; another request with that key raises
    ``IdempotencyKeyReused``.
    """
    key = _checked_key(idempotency_key)
    start = start.astimezone(UTC)
    request = request_fingerprint(service_id=service.pk, start=start, comment=comment)
    if key and (existing := _replay(client=client, key=key, request=request)):
        return existing, False
    return _atomic_booking(
        _book,
        client=client,
        key=key,
        request=request,
        service=service,
        start=start,
        comment=comment,
        time_zone=time_zone,
        now=now or timezone.now(),
    )


def _book_hold(
    *, client: Any, hold_id: int, comment: str, time_zone: str, key: str, request: str, now
) -> tuple[Booking, bool]:
    held = BookingHold.objects.filter(pk=hold_id, client=client).select_related("service").first()
    if held is None:
        raise HoldExpired()
    specialist = Specialist.objects.select_for_update().get(pk=held.specialist_id)
    if key and (existing := _replay(client=client, key=key, request=request)):
        return existing, False
    hold = BookingHold.objects.select_for_update().filter(pk=hold_id).first()
    if hold is None:
        raise HoldExpired()
    if hold.booking_id is not None:  # a retry of the request that booked it
        return Booking.objects.get(pk=hold.booking_id), False
    if hold.expires_at <= now:
        raise HoldExpired()
    # A live hold is the slot: nobody else could take it, and like a booking
    # it is not undone by later schedule edits. The constraint still backs it.
    service = _bookable_service(hold.service_id, specialist)
    booking = _insert(
        client=client,
        service=service,
        specialist=specialist,
        start=hold.start,
        comment=comment,
        client_time_zone=client_zone_name(specialist, time_zone),
        idempotency_key=key,
        request_fingerprint=request,
    )
    hold.booking = booking
    hold.save(update_fields=["booking"])
    return booking, True


def book_hold(
    *,
    client: Any,
    hold: BookingHold,
    idempotency_key: str = "",
    comment: str = "",
    time_zone: str = "",
    now: datetime | None = None,
) -> tuple[Booking, bool]:
    """Turn the client's live hold into a booking; returns ``(booking, created)``.

    ``HoldExpired`` once the hold has lapsed (or is not the client's). A
    retry returns the booking the hold became (``created=False``).
    """
    key = _checked_key(idempotency_key)
    request = request_fingerprint(service_id=hold.service_id, start=hold.start, comment=comment)
    return _atomic_booking(
        _book_hold,
        client=client,
        key=key,
        request=request,
        hold_id=hold.pk,
        comment=comment,
        time_zone=time_zone,
        now=now or timezone.now(),
    )


def _lock_movable(booking: Booking, *, by: Any, now: datetime) -> Booking:
    """The booking locked (after its specialist) once ``by`` may move it now: the
    specialist at any time, the client until the service's reschedule cutoff."""
    Specialist.objects.select_for_update().get(pk=booking.specialist_id)
    locked = lock_booking(booking)
    _check_movable(locked, by=by, now=now)
    return locked


def _check_movable(booking: Booking, *, by: Any, now: datetime) -> None:
    role = role_of(booking, by)
    if role is None:
        raise BookingActionForbidden()
    if booking.status not in ACTIVE_STATUSES:
        raise ChangeRefused("invalid_transition")
    if role == "client" and client_cutoff_passed(booking, now, reschedule=True):
        raise ChangeRefused("cutoff", field="start")
    if not (booking.service.is_active and booking.specialist.is_active):
        raise ServiceUnavailable()


def can_reschedule(booking: Booking, *, by: Any, now: datetime | None = None) -> bool:
    """Whether ``by`` may move ``booking`` now (the checks of ``reschedule_booking`` before
    the new start's): for a page's button. Select the specialist and service with it."""
    try:
        _check_movable(booking, by=by, now=now or timezone.now())
    except (BookingActionForbidden, ChangeRefused, ServiceUnavailable):
        return False
    return True


def _booked_spec(booking: Booking) -> slots.ServiceSpec:
    # The booking's own snapshot, not the service's current durations.
    return slots.ServiceSpec(
        duration=booking.end - booking.start,
        buffer_before=booking.start - booking.blocked_start,
        buffer_after=booking.blocked_end - booking.end,
        capacity=booking.service.capacity,
    )


def _move(booking: Booking, start: datetime, spec: slots.ServiceSpec, *, by_client: bool) -> None:
    booking.start, booking.end = start, start + spec.duration
    booking.blocked_start = start - spec.buffer_before
    booking.blocked_end = booking.end + spec.buffer_after
    booking.session = session_key(
        service=booking.service, start=start, exclude_booking_id=booking.pk
    )
    if by_client and booking.service.requires_confirmation:
        booking.status = BookingStatus.PENDING
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError:  # PostgreSQL's exclusion constraint
        raise SlotUnavailable(slots.TAKEN) from None


def reschedule_booking(
    *, booking: Booking, start: datetime, by: Any, comment: str = "", now: datetime | None = None
) -> Booking:
    """Move an active booking to another free start: the client until the cutoff, the
    specialist at any time (the client is told, in their own time zone).

    Durations and buffers are the booking's own (a snapshot), not the
    service's current ones. A confirmed booking of a service that needs
    confirmation goes back to pending when the client moves it. The
    reminder follows the new start (``receivers.py``).
    """
    now, start = now or timezone.now(), start.astimezone(UTC)
    with transaction.atomic():
        locked = _lock_movable(booking, by=by, now=now)
        spec = _booked_spec(locked)
        check_slot(
            specialist=locked.specialist,
            start=start,
            spec=spec,
            policy=service_rules(locked.service).policy(),
            now=now,
            service_id=locked.service_id,
            exclude_booking_id=locked.pk,
        )
        old_start, old_end, from_status = locked.start, locked.end, locked.status
        _move(locked, start, spec, by_client=role_of(locked, by) == "client")
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
