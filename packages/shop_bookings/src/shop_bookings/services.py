"""Business operations that write: bookings and their life cycle, profiles, feed tokens.

Every function takes keyword-only arguments and runs in one transaction.
Refusals are ``BookingRejected`` (bad request: a field and a code),
``BookingActionForbidden`` (the user may see the booking but not do this) and
``IdempotencyKeyReused`` (same key, different request; shop_core's, re-exported:
HTTP 422 ``{"detail", "code": "idempotency_key_reused"}``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop_core.idempotency import IdempotencyKeyReused, fingerprint

from . import signals, slots
from .conf import app_settings
from .models import (
    ACTIVE_STATUSES,
    Booking,
    BookingStatus,
    BookingStatusChange,
    CalendarFeedToken,
    Service,
    Specialist,
)
from .permissions import user_is_specialist
from .selectors import schedule_inputs, service_spec, slot_policy

UTC = dt_timezone.utc

REFUSAL_MESSAGES = {
    "past": _("This time is in the past."),
    "min_notice": _("This time is too soon: bookings need more notice."),
    "horizon": _("This time is too far ahead: it is beyond the booking horizon."),
    "taken": _("This time is already taken."),
    "outside_hours": _("This time is not a free slot of the specialist's working hours."),
    "inactive_service": _("This service is not available for booking."),
    "cutoff": _("It is too late to change this booking."),
    "invalid_transition": _("A booking in this status cannot be changed this way."),
    "not_started": _("The booking has not started yet."),
    "not_specialist": _("Only users with the specialist role may have a specialist profile."),
}

#: Allowed status moves (terminal statuses have no entry).
TRANSITIONS: dict[str, set[str]] = {
    BookingStatus.PENDING: {BookingStatus.CONFIRMED, BookingStatus.CANCELLED},
    BookingStatus.CONFIRMED: {
        BookingStatus.CANCELLED,
        BookingStatus.COMPLETED,
        BookingStatus.NO_SHOW,
    },
}
CLIENT_ACTIONS = {BookingStatus.CANCELLED}
SPECIALIST_ACTIONS = {
    BookingStatus.CONFIRMED,
    BookingStatus.CANCELLED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
}


class BookingRejected(Exception):
    """A refused request: ``code`` (see REFUSAL_MESSAGES) about input ``field``."""

    def __init__(self, code: str, *, field: str = "start"):
        self.code = code
        self.field = field
        self.message = REFUSAL_MESSAGES.get(code, code)
        super().__init__(f"{field}: {code}")


class BookingActionForbidden(Exception):
    """The user takes part in the booking but may not perform this action."""


def request_fingerprint(*, service_id: int, start: datetime, comment: str) -> str:
    """What a retry with the same Idempotency-Key must repeat: service, instant, comment."""
    return fingerprint(
        {"service": service_id, "start": start.astimezone(UTC).isoformat(), "comment": comment}
    )


def _replay(*, client, key: str, request: str) -> Booking | None:
    existing = Booking.objects.filter(client=client, idempotency_key=key).first()
    if existing is None:
        return None
    if existing.request_fingerprint != request:
        raise IdempotencyKeyReused()
    return existing


def _check_slot(
    *,
    specialist: Specialist,
    start: datetime,
    spec: slots.ServiceSpec,
    now: datetime,
    exclude_booking_id: int | None = None,
) -> None:
    window_end = start + timedelta(microseconds=1)
    problem = slots.refusal(
        start,
        **schedule_inputs(
            specialist=specialist,
            window_start=start,
            window_end=window_end,
            exclude_booking_id=exclude_booking_id,
        ),
        service=spec,
        now=now,
        **slot_policy(),
    )
    if problem:
        raise BookingRejected(problem)


def _record(*, booking: Booking, from_status: str, by, comment: str = "") -> None:
    BookingStatusChange.objects.create(
        booking=booking,
        from_status=from_status,
        to_status=booking.status,
        changed_by=by,
        comment=comment,
    )


def create_booking(
    *,
    client,
    service: Service,
    start: datetime,
    idempotency_key: str = "",
    comment: str = "",
    now: datetime | None = None,
) -> tuple[Booking, bool]:
    """Book ``service`` at ``start`` for ``client``; returns ``(booking, created)``.

    The start must be one of the free slots (the same engine lists them).
    With an ``idempotency_key`` a retry of the same request (same service,
    start and comment) returns the first booking with ``created=False``;
    another request with that key raises ``IdempotencyKeyReused``. The
    overlap check runs with the specialist row locked; on PostgreSQL an
    exclusion constraint backs it.
    """
    key = (idempotency_key or "").strip()
    if len(key) > 255:
        raise BookingRejected("invalid_idempotency_key", field="idempotency_key")
    start = start.astimezone(UTC)
    now = now or timezone.now()
    request = request_fingerprint(service_id=service.pk, start=start, comment=comment)
    if key and (existing := _replay(client=client, key=key, request=request)):
        return existing, False
    try:
        with transaction.atomic():
            # The lock serialises bookings of one specialist on every database.
            specialist = Specialist.objects.select_for_update().get(pk=service.specialist_id)
            if key and (existing := _replay(client=client, key=key, request=request)):
                return existing, False
            # Locked too: a concurrent delete of the service waits for this booking
            # (and is then refused), or wins and this booking is refused.
            service = Service.objects.select_for_update().filter(pk=service.pk).first()
            if not (service and service.is_active and specialist.is_active):
                raise BookingRejected("inactive_service", field="service")
            spec = service_spec(service)
            _check_slot(specialist=specialist, start=start, spec=spec, now=now)
            end = start + spec.duration
            booking = Booking.objects.create(
                service=service,
                specialist=specialist,
                client=client,
                start=start,
                end=end,
                blocked_start=start - spec.buffer_before,
                blocked_end=end + spec.buffer_after,
                status=(
                    BookingStatus.PENDING
                    if service.requires_confirmation
                    else BookingStatus.CONFIRMED
                ),
                service_name=service.name,
                price=service.price,
                comment=comment,
                idempotency_key=key,
                request_fingerprint=request,
            )
            _record(booking=booking, from_status="", by=client)
            signals.booking_created.send(sender=Booking, booking=booking, by=client)
    except IntegrityError:
        # Lost a race the lock did not cover: the same key, or (PostgreSQL)
        # the exclusion constraint.
        if key and (existing := _replay(client=client, key=key, request=request)):
            return existing, False
        raise BookingRejected("taken") from None
    return booking, True


def _role(booking: Booking, user) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    if booking.specialist.user_id == user.pk:
        return "specialist"
    if booking.client_id == user.pk:
        return "client"
    return None


def _client_cutoff_passed(booking: Booking, now: datetime) -> bool:
    return now > booking.start - timedelta(minutes=app_settings.CLIENT_CHANGE_CUTOFF_MINUTES)


def change_status(
    *,
    booking: Booking,
    to_status: str,
    by,
    comment: str = "",
    now: datetime | None = None,
) -> Booking:
    """Move a booking to ``to_status`` if ``by`` may, record it and send the signal.

    The client may only cancel, until CLIENT_CHANGE_CUTOFF_MINUTES before the
    start; the specialist confirms, cancels, completes or marks no-show (the
    last two only once the booking has started).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("specialist", "service")
            .get(pk=booking.pk)
        )
        role = _role(locked, by)
        allowed = SPECIALIST_ACTIONS if role == "specialist" else CLIENT_ACTIONS
        if role is None or to_status not in allowed:
            raise BookingActionForbidden(to_status)
        if to_status not in TRANSITIONS.get(locked.status, set()):
            raise BookingRejected("invalid_transition", field="status")
        if role == "client" and _client_cutoff_passed(locked, now):
            raise BookingRejected("cutoff", field="status")
        if to_status in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW) and now < locked.start:
            raise BookingRejected("not_started", field="status")
        from_status = locked.status
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
        _record(booking=locked, from_status=from_status, by=by, comment=comment)
        signals.booking_status_changed.send(
            sender=Booking,
            booking=locked,
            from_status=from_status,
            to_status=to_status,
            by=by,
            comment=comment,
        )
    return locked


def confirm_booking(*, booking: Booking, by, comment: str = "", now=None) -> Booking:
    """The specialist confirms a pending booking."""
    return change_status(
        booking=booking, to_status=BookingStatus.CONFIRMED, by=by, comment=comment, now=now
    )


def cancel_booking(*, booking: Booking, by, comment: str = "", now=None) -> Booking:
    """The client (until the cutoff) or the specialist cancels."""
    return change_status(
        booking=booking, to_status=BookingStatus.CANCELLED, by=by, comment=comment, now=now
    )


def complete_booking(*, booking: Booking, by, comment: str = "", now=None) -> Booking:
    """The specialist marks a started, confirmed booking completed."""
    return change_status(
        booking=booking, to_status=BookingStatus.COMPLETED, by=by, comment=comment, now=now
    )


def mark_no_show(*, booking: Booking, by, comment: str = "", now=None) -> Booking:
    """The specialist marks a started, confirmed booking as a no-show."""
    return change_status(
        booking=booking, to_status=BookingStatus.NO_SHOW, by=by, comment=comment, now=now
    )


def reschedule_booking(
    *, booking: Booking, start: datetime, by, comment: str = "", now: datetime | None = None
) -> Booking:
    """The client moves an active booking to another free start, until the cutoff.

    Durations and buffers are the booking's own (a snapshot), not the
    service's current ones. A confirmed booking of a service that needs
    confirmation goes back to pending.
    """
    now = now or timezone.now()
    start = start.astimezone(UTC)
    with transaction.atomic():
        Specialist.objects.select_for_update().get(pk=booking.specialist_id)
        locked = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("specialist", "service")
            .get(pk=booking.pk)
        )
        if _role(locked, by) != "client":
            raise BookingActionForbidden("reschedule")
        if locked.status not in ACTIVE_STATUSES:
            raise BookingRejected("invalid_transition", field="status")
        if _client_cutoff_passed(locked, now):
            raise BookingRejected("cutoff", field="start")
        if not (locked.service.is_active and locked.specialist.is_active):
            raise BookingRejected("inactive_service", field="service")
        spec = slots.ServiceSpec(
            duration=locked.end - locked.start,
            buffer_before=locked.start - locked.blocked_start,
            buffer_after=locked.blocked_end - locked.end,
        )
        _check_slot(
            specialist=locked.specialist,
            start=start,
            spec=spec,
            now=now,
            exclude_booking_id=locked.pk,
        )
        old_start, old_end, from_status = locked.start, locked.end, locked.status
        locked.start, locked.end = start, start + spec.duration
        locked.blocked_start = start - spec.buffer_before
        locked.blocked_end = locked.end + spec.buffer_after
        # A new start needs a new reminder; an in-flight send of the old one
        # loses its claim and marks nothing (delivery.py).
        locked.reminder_sent_at = locked.reminder_claimed_at = None
        if locked.service.requires_confirmation:
            locked.status = BookingStatus.PENDING
        try:
            with transaction.atomic():
                locked.save()
        except IntegrityError:
            raise BookingRejected("taken") from None
        note = f"rescheduled from {old_start.isoformat()}"
        _record(
            booking=locked,
            from_status=from_status,
            by=by,
            comment=f"{note}; {comment}" if comment else note,
        )
        signals.booking_rescheduled.send(
            sender=Booking, booking=locked, old_start=old_start, old_end=old_end, by=by
        )
    return locked


# --- specialist profile -------------------------------------------------------------


def _make_thumbnail(specialist: Specialist) -> None:
    from PIL import Image, ImageOps

    specialist.photo.open("rb")
    try:
        with Image.open(specialist.photo) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail(tuple(app_settings.PHOTO_THUMBNAIL_SIZE))
            out = BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=85)
    finally:
        specialist.photo.close()
    stem = PurePosixPath(specialist.photo.name).stem
    specialist.photo_thumbnail.save(f"{stem}_thumb.jpg", ContentFile(out.getvalue()), save=False)


_UNSET: Any = object()


def save_specialist_profile(*, user, data: dict[str, Any], photo: Any = _UNSET) -> Specialist:
    """Create or update the user's specialist profile; ``photo=None`` removes the photo.

    Only users the IS_SPECIALIST hook accepts may have a profile. A new
    photo gets a thumbnail; django-cleanup removes replaced files.
    """
    if not user_is_specialist(user):
        raise BookingRejected("not_specialist", field="non_field_errors")
    with transaction.atomic():
        # get_or_create survives two first saves at once: the unique user column
        # refuses the second INSERT, which then reads the first one's row.
        Specialist.objects.get_or_create(
            user=user, defaults={"display_name": user.get_full_name() or user.get_username()}
        )
        specialist = Specialist.objects.select_for_update().get(user=user)
        for field, value in data.items():
            setattr(specialist, field, value)
        if photo is not _UNSET:
            if photo:
                specialist.photo = photo
                specialist.save()
                try:
                    _make_thumbnail(specialist)
                except Exception:
                    # the row rolls back; the stored file would stay behind
                    specialist.photo.delete(save=False)
                    raise
            else:
                specialist.photo = None
                specialist.photo_thumbnail = None
        specialist.save()
    return specialist


# --- calendar feed tokens -------------------------------------------------------------


def get_feed_token(*, user) -> CalendarFeedToken:
    """The user's feed token, created on first use."""
    token, _created = CalendarFeedToken.objects.get_or_create(user=user)
    return token


def rotate_feed_token(*, user) -> CalendarFeedToken:
    """Replace the token: the old feed URL stops working at once."""
    from .models import _new_feed_token

    with transaction.atomic():
        token, created = CalendarFeedToken.objects.select_for_update().get_or_create(user=user)
        if not created:
            token.token = _new_feed_token()
            token.save(update_fields=["token"])
    return token


def revoke_feed_token(*, user) -> None:
    """Delete the token: the feed URL stops working until a new one is asked for."""
    CalendarFeedToken.objects.filter(user=user).delete()
