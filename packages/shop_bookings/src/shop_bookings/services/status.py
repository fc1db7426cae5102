"""The booking life cycle: confirm, cancel, complete, no-show, each recorded and signalled.

A move reads the booking's status and writes the new one with the booking
row locked (``select_for_update``), so two concurrent moves are serialised
and the second sees the first one's status.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from .. import signals
from ..exceptions import BookingActionForbidden, ChangeRefused
from ..models import ACTIVE_STATUSES, Booking, BookingStatus, BookingStatusChange
from ..selectors import service_rules
from . import payment

#: Allowed status moves (terminal statuses have no entry).
TRANSITIONS: dict[str, set[str]] = {
    BookingStatus.PENDING: {BookingStatus.CONFIRMED, BookingStatus.CANCELED},
    BookingStatus.CONFIRMED: {
        BookingStatus.CANCELED,
        BookingStatus.COMPLETED,
        BookingStatus.NO_SHOW,
    },
}
CLIENT_ACTIONS = {BookingStatus.CANCELED}
SPECIALIST_ACTIONS = {
    BookingStatus.CONFIRMED,
    BookingStatus.CANCELED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
}


def role_of(booking: Booking, user: Any) -> str | None:
    """``"specialist"``, ``"client"`` or None: the user's part in the booking."""
    if user is None or not user.is_authenticated:
        return None
    if booking.specialist.user_id == user.pk:
        return "specialist"
    if booking.client_id == user.pk:
        return "client"
    return None


def client_cutoff_passed(booking: Booking, now: datetime, *, reschedule: bool = False) -> bool:
    """Whether the client may no longer cancel (or reschedule): the service's cutoff, else
    CLIENT_CHANGE_CUTOFF_MINUTES."""
    rules = service_rules(booking.service)
    cutoff = rules.reschedule_cutoff if reschedule else rules.cancel_cutoff
    return now > booking.start - cutoff


def record_change(
    *, booking: Booking, from_status: str, by: Any, comment: str = ""
) -> BookingStatusChange:
    """Write one line of the booking's history (its current status is the ``to``)."""
    return BookingStatusChange.objects.create(
        booking=booking,
        from_status=from_status,
        to_status=booking.status,
        changed_by=by,
        comment=comment,
    )


def lock_booking(booking: Booking) -> Booking:
    """The booking re-read with its row locked (call inside a transaction)."""
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("specialist", "service")
        .get(pk=booking.pk)
    )


def _check_move(booking: Booking, *, to_status: str, by: Any, now: datetime) -> None:
    role = role_of(booking, by)
    allowed = SPECIALIST_ACTIONS if role == "specialist" else CLIENT_ACTIONS
    if role is None or to_status not in allowed:
        raise BookingActionForbidden()
    if to_status not in TRANSITIONS.get(booking.status, set()):
        raise ChangeRefused("invalid_transition")
    if role == "client" and client_cutoff_passed(booking, now):
        raise ChangeRefused("cutoff")
    if to_status in (BookingStatus.COMPLETED, BookingStatus.NO_SHOW) and now < booking.start:
        raise ChangeRefused("not_started")


def allowed_moves(booking: Booking, *, by: Any, now: datetime | None = None) -> list[str]:
    """The statuses ``by`` may move ``booking`` to now: what ``change_status`` would accept
    (for a page's buttons), in ``BookingStatus`` order. No query beyond the booking's
    specialist and service (select them with it)."""
    now = now or timezone.now()
    moves = []
    for to_status in BookingStatus.values:
        try:
            _check_move(booking, to_status=to_status, by=by, now=now)
        except (BookingActionForbidden, ChangeRefused):
            continue
        moves.append(to_status)
    return moves


def _save_status(
    locked: Booking, *, to_status: str, by: Any, comment: str, pay: bool = True
) -> Booking:
    from_status, locked.status = locked.status, to_status
    locked.save(update_fields=["status", "updated_at"])
    change = record_change(booking=locked, from_status=from_status, by=by, comment=comment)
    signals.booking_status_changed.send(
        sender=Booking,
        booking=locked,
        from_status=from_status,
        to_status=to_status,
        by=by,
        comment=comment,
        change=change,
    )
    if pay and to_status == BookingStatus.CANCELED:
        payment.booking_canceled(locked, by=by)
    return locked


def change_status(
    *, booking: Booking, to_status: str, by: Any, comment: str = "", now: datetime | None = None
) -> Booking:
    """Move a booking to ``to_status`` if ``by`` may, record it and send the signal.

    The client may only cancel, until CLIENT_CHANGE_CUTOFF_MINUTES before the
    start; the specialist confirms, cancels, completes or marks no-show (the
    last two only once the booking has started). ``BookingActionForbidden``
    for a role that may not, ``ChangeRefused`` for a move not allowed now.
    Canceling a priced booking tells the ``ORDER_HOOK`` (its order is canceled).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = lock_booking(booking)
        _check_move(locked, to_status=to_status, by=by, now=now)
        return _save_status(locked, to_status=to_status, by=by, comment=comment)


def _cancel_without_party(booking: Booking, *, comment: str, pay: bool) -> bool:
    with transaction.atomic():
        locked = lock_booking(booking)
        if locked.status not in ACTIVE_STATUSES:
            return False
        _save_status(locked, to_status=BookingStatus.CANCELED, by=None, comment=comment, pay=pay)
    return True


def cancel_for_order(*, booking: Booking, comment: str = "order canceled") -> bool:
    """Cancel a booking because its order was canceled (the ORDER_HOOK's receivers).

    No role and no cutoff: the order decided. The hook is not called back.
    False when the booking no longer held its slot (a repeat is a no-op).
    """
    return _cancel_without_party(booking, comment=comment, pay=False)


def cancel_as_erased(*, booking: Booking) -> bool:
    """Cancel a booking whose client erases their account (no cutoff); its order too."""
    return _cancel_without_party(booking, comment="the client's account was deleted", pay=True)


def cancel_as_specialist_left(*, booking: Booking) -> bool:
    """Cancel a booking whose specialist erases their account (no cutoff); its order too."""
    return _cancel_without_party(booking, comment="the specialist has left", pay=True)


def confirm_booking(*, booking: Booking, by: Any, comment: str = "", now=None) -> Booking:
    """The specialist confirms a pending booking."""
    return change_status(
        booking=booking, to_status=BookingStatus.CONFIRMED, by=by, comment=comment, now=now
    )


def cancel_booking(*, booking: Booking, by: Any, comment: str = "", now=None) -> Booking:
    """The client (until the cutoff) or the specialist cancels."""
    return change_status(
        booking=booking, to_status=BookingStatus.CANCELED, by=by, comment=comment, now=now
    )


def complete_booking(*, booking: Booking, by: Any, comment: str = "", now=None) -> Booking:
    """The specialist marks a started, confirmed booking completed."""
    return change_status(
        booking=booking, to_status=BookingStatus.COMPLETED, by=by, comment=comment, now=now
    )


def mark_no_show(*, booking: Booking, by: Any, comment: str = "", now=None) -> Booking:
    """The specialist marks a started, confirmed booking as a no-show."""
    return change_status(
        booking=booking, to_status=BookingStatus.NO_SHOW, by=by, comment=comment, now=now
    )
