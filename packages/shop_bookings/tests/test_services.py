"""Booking services without HTTP: creation rules, idempotency, life cycle, history, signals."""

from datetime import date, datetime, time, timedelta, timezone

import pytest
from django.db import IntegrityError

from shop_bookings import exceptions, services, signals
from shop_bookings.models import (
    Booking,
    BookingStatus,
    ScheduleException,
)
from shop_bookings.selectors import free_slots_for

from .factories import make_service, make_specialist, make_user

pytestmark = pytest.mark.django_db

UTC = timezone.utc
NOW = datetime(2030, 6, 3, 8, 0, tzinfo=UTC)  # a Monday
TUESDAY = date(2030, 6, 4)


def at(hour, minute=0, day=TUESDAY):
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def book(client, service, start, **kwargs):
    kwargs.setdefault("now", NOW)
    return services.create_booking(client=client, service=service, start=start, **kwargs)


def test_booking_is_confirmed_and_recorded(client_user, service):
    received = []
    signals.booking_created.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t1")
    try:
        booking, created = book(client_user, service, at(10))
    finally:
        signals.booking_created.disconnect(dispatch_uid="t1")
    assert created
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.end == at(11)
    assert (booking.service_name, booking.price) == (service.name, service.price)
    change = booking.history.get()
    assert (change.from_status, change.to_status, change.changed_by) == (
        "",
        "confirmed",
        client_user,
    )
    assert received[0]["booking"] == booking and received[0]["by"] == client_user


def test_service_requiring_confirmation_starts_pending(client_user, specialist):
    service = make_service(specialist, requires_confirmation=True)
    booking, _ = book(client_user, service, at(10))
    assert booking.status == BookingStatus.PENDING


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (NOW - timedelta(hours=1), "past"),
        (NOW + timedelta(hours=1), "min_notice"),
        (NOW + timedelta(days=61, hours=2), "horizon"),
        (at(7), "outside_hours"),
        (at(17, 30), "ends_after_hours"),  # would end after 18:00
        (at(10, 5), "off_grid"),  # off the 15-minute grid
    ],
)
def test_refusals_have_reasons(client_user, service, start, code):
    with pytest.raises(exceptions.SlotUnavailable) as info:
        book(client_user, service, start)
    assert info.value.code == code and info.value.field == "start"
    assert not Booking.objects.exists()


def test_inactive_service_or_specialist_is_refused(client_user, specialist, service):
    service.is_active = False
    service.save()
    with pytest.raises(exceptions.ServiceUnavailable) as info:
        book(client_user, service, at(10))
    assert (info.value.code, info.value.field) == ("inactive_service", "service")
    service.is_active = True
    service.save()
    specialist.is_active = False
    specialist.save()
    with pytest.raises(exceptions.ServiceUnavailable):
        book(client_user, service, at(10))


def test_overlap_and_buffers(client_user, other_user, specialist):
    service = make_service(specialist, duration_minutes=60, buffer_after_minutes=30)
    book(client_user, service, at(10))
    with pytest.raises(exceptions.SlotUnavailable) as info:
        book(other_user, service, at(10, 30))
    assert info.value.code == "taken"
    with pytest.raises(exceptions.SlotUnavailable) as info:
        book(other_user, service, at(11))  # inside the 30-minute buffer
    assert info.value.code == "taken"
    booking, _ = book(other_user, service, at(11, 30))
    assert (booking.blocked_start, booking.blocked_end) == (at(11, 30), at(13))


def test_exception_day_off_refuses(client_user, specialist, service):
    ScheduleException.objects.create(specialist=specialist, date=TUESDAY, is_day_off=True)
    with pytest.raises(exceptions.SlotUnavailable) as info:
        book(client_user, service, at(10))
    assert info.value.code == "day_off"


def test_listed_slots_are_bookable_and_booked_ones_disappear(client_user, specialist, service):
    window = (at(0), at(0, day=TUESDAY + timedelta(days=1)))
    listed = free_slots_for(
        specialist=specialist,
        service=service,
        window_start=window[0],
        window_end=window[1],
        now=NOW,
    )
    assert listed[0] == at(9) and listed[-1] == at(17)
    book(client_user, service, listed[3])
    after = free_slots_for(
        specialist=specialist,
        service=service,
        window_start=window[0],
        window_end=window[1],
        now=NOW,
    )
    assert listed[3] not in after and len(after) == len(listed) - 7  # 60 min on a 15 min grid


def test_a_booking_being_moved_sees_its_own_time_as_free(client_user, specialist, service):
    booking, _ = book(client_user, service, at(10))
    window = {"window_start": at(0), "window_end": at(0, day=TUESDAY + timedelta(days=1))}
    others = free_slots_for(specialist=specialist, service=service, now=NOW, **window)
    assert at(10, 30) not in others  # 10:30-11:30 overlaps the booking
    own = free_slots_for(
        specialist=specialist,
        service=service,
        now=NOW,
        exclude_booking_id=booking.pk,
        **window,
    )
    assert {at(10), at(10, 30)} <= set(own) and len(own) == len(others) + 7
    # the service agrees: the booking moves half an hour, over its own time
    moved = services.reschedule_booking(booking=booking, start=at(10, 30), by=client_user, now=NOW)
    assert (moved.start, moved.end) == (at(10, 30), at(11, 30))


def test_idempotency_key_returns_the_first_booking(client_user, other_user, service):
    first, created = book(client_user, service, at(10), idempotency_key="k-1")
    again, created_again = book(client_user, service, at(10), idempotency_key="k-1")
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(exceptions.IdempotencyKeyReused):
        book(client_user, service, at(12), idempotency_key="k-1")
    # The key belongs to a client: another client's identical key is unrelated.
    theirs, created_theirs = book(other_user, service, at(12), idempotency_key="k-1")
    assert created_theirs and theirs.pk != first.pk
    assert Booking.objects.count() == 2


def test_client_cancels_before_cutoff_and_slot_is_free_again(client_user, other_user, service):
    booking, _ = book(client_user, service, at(10, day=TUESDAY + timedelta(days=2)))
    services.cancel_booking(booking=booking, by=client_user, comment="ill", now=NOW)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELED == "canceled"
    last = booking.history.last()
    assert (last.from_status, last.to_status, last.comment) == ("confirmed", "canceled", "ill")
    again, created = book(other_user, service, booking.start)
    assert created


def test_client_cannot_cancel_after_cutoff(client_user, service):
    booking, _ = book(client_user, service, at(10))  # 26 h after NOW; cutoff 24 h
    late = at(10) - timedelta(hours=23)
    with pytest.raises(exceptions.ChangeRefused) as info:
        services.cancel_booking(booking=booking, by=client_user, now=late)
    assert (info.value.code, info.value.field) == ("cutoff", "status")
    # The specialist still can.
    services.cancel_booking(booking=booking, by=booking.specialist.user, now=late)


def test_specialist_actions_and_roles(client_user, other_user, specialist):
    service = make_service(specialist, requires_confirmation=True)
    booking, _ = book(client_user, service, at(10))
    with pytest.raises(exceptions.BookingActionForbidden) as forbidden:
        services.confirm_booking(booking=booking, by=client_user, now=NOW)
    assert (forbidden.value.code, forbidden.value.status_code) == ("wrong_role", 403)
    with pytest.raises(exceptions.BookingActionForbidden):
        services.cancel_booking(booking=booking, by=other_user, now=NOW)
    with pytest.raises(exceptions.ChangeRefused) as info:
        services.complete_booking(booking=booking, by=specialist.user, now=NOW)
    assert info.value.code == "invalid_transition"  # pending cannot complete
    services.confirm_booking(booking=booking, by=specialist.user, now=NOW)
    with pytest.raises(exceptions.ChangeRefused) as info:
        services.complete_booking(booking=booking, by=specialist.user, now=NOW)
    assert info.value.code == "not_started"
    done = services.complete_booking(booking=booking, by=specialist.user, now=at(11))
    assert done.status == BookingStatus.COMPLETED
    with pytest.raises(exceptions.ChangeRefused):
        services.cancel_booking(booking=booking, by=specialist.user, now=at(11))
    assert list(booking.history.values_list("to_status", flat=True)) == [
        "pending",
        "confirmed",
        "completed",
    ]


def test_no_show(client_user, specialist, service):
    booking, _ = book(client_user, service, at(10))
    changes = []
    signals.booking_status_changed.connect(
        lambda **kw: changes.append(kw), weak=False, dispatch_uid="t2"
    )
    try:
        services.mark_no_show(booking=booking, by=specialist.user, now=at(10, 20))
    finally:
        signals.booking_status_changed.disconnect(dispatch_uid="t2")
    assert changes[0]["from_status"] == "confirmed" and changes[0]["to_status"] == "no_show"


def test_reschedule(client_user, other_user, specialist):
    service = make_service(specialist, requires_confirmation=True)
    booking, _ = book(client_user, service, at(10))
    services.confirm_booking(booking=booking, by=specialist.user, now=NOW)
    book(other_user, service, at(14))
    with pytest.raises(exceptions.SlotUnavailable) as info:
        services.reschedule_booking(booking=booking, start=at(13, 30), by=client_user, now=NOW)
    assert info.value.code == "taken"
    with pytest.raises(exceptions.BookingActionForbidden):
        services.reschedule_booking(booking=booking, start=at(12), by=other_user, now=NOW)
    # Moving by 15 minutes overlaps only itself: allowed.
    moved = services.reschedule_booking(booking=booking, start=at(10, 15), by=client_user, now=NOW)
    assert (moved.start, moved.end) == (at(10, 15), at(11, 15))
    assert moved.status == BookingStatus.PENDING  # needs confirming again
    assert "rescheduled from" in moved.history.last().comment
    with pytest.raises(exceptions.ChangeRefused) as info:
        services.reschedule_booking(booking=booking, start=at(16), by=client_user, now=at(9))
    assert (info.value.code, info.value.field) == ("cutoff", "start")


def test_database_rejects_an_idempotency_key_twice(client_user, service):
    book(client_user, service, at(10), idempotency_key="dup")
    with pytest.raises(IntegrityError):
        Booking.objects.create(
            service=service,
            specialist=service.specialist,
            client=client_user,
            start=at(15),
            end=at(16),
            blocked_start=at(15),
            blocked_end=at(16),
            service_name="x",
            price=1,
            idempotency_key="dup",
        )


def test_feed_tokens_rotate_and_revoke(client_user):
    token = services.get_feed_token(user=client_user)
    assert services.get_feed_token(user=client_user).token == token.token
    rotated = services.rotate_feed_token(user=client_user)
    assert rotated.token != token.token
    services.revoke_feed_token(user=client_user)
    assert not type(token).objects.filter(user=client_user).exists()


def test_specialist_in_another_zone_books_by_wall_clock(client_user):
    specialist = make_specialist(time_zone="Asia/Tokyo", hours=(time(9), time(12)))
    service = make_service(specialist)
    booking, _ = book(client_user, service, datetime(2030, 6, 4, 1, tzinfo=UTC))  # 10:00 JST
    assert booking.start.astimezone(specialist.zone).hour == 10
    with pytest.raises(exceptions.SlotUnavailable) as info:
        book(make_user(), service, datetime(2030, 6, 4, 10, tzinfo=UTC))  # 19:00 JST
    assert info.value.code == "outside_hours"


def test_upcoming_bookings_selector(client_user, other_user, service):
    from shop_bookings.selectors import upcoming_bookings

    first, _ = book(client_user, service, at(12))
    second, _ = book(client_user, service, at(10))
    canceled, _ = book(client_user, service, at(15))
    services.cancel_booking(booking=canceled, by=client_user, now=NOW)
    book(other_user, service, at(16))
    assert upcoming_bookings(client_user, now=NOW) == [second, first]
    assert upcoming_bookings(client_user, now=at(11), limit=1) == [first]


def test_a_too_long_idempotency_key_is_refused(client_user, service):
    with pytest.raises(exceptions.InvalidIdempotencyKey) as info:
        book(client_user, service, at(10), idempotency_key="k" * 256)
    assert (info.value.code, info.value.field) == ("invalid_idempotency_key", "idempotency_key")
    assert not Booking.objects.exists()


def test_every_error_code_has_a_message():
    codes = {
        code for cls in vars(exceptions).values() if hasattr(cls, "codes") for code in cls.codes
    }
    assert codes <= set(exceptions.MESSAGES)
    assert set(exceptions.SlotUnavailable.codes) == {
        "past",
        "min_notice",
        "horizon",
        "day_off",
        "outside_hours",
        "repeated_time",
        "off_grid",
        "ends_after_hours",
        "buffer_outside_hours",
        "taken",
        "full",
    }


def test_allowed_moves_are_what_change_status_accepts(client_user, other_user, specialist):
    service = make_service(specialist, requires_confirmation=True)
    booking, _ = book(client_user, service, at(10))  # pending, 26 h ahead
    pro = specialist.user
    assert services.allowed_moves(booking, by=pro, now=NOW) == ["confirmed", "canceled"]
    assert services.allowed_moves(booking, by=client_user, now=NOW) == ["canceled"]
    assert services.allowed_moves(booking, by=other_user, now=NOW) == []
    late = at(10) - timedelta(hours=23)  # past the client's 24 h cutoff
    assert services.allowed_moves(booking, by=client_user, now=late) == []
    services.confirm_booking(booking=booking, by=pro, now=NOW)
    booking.refresh_from_db()
    assert services.allowed_moves(booking, by=pro, now=NOW) == ["canceled"]  # not started
    started = services.allowed_moves(booking, by=pro, now=at(10, 5))
    assert started == ["canceled", "completed", "no_show"]
    for to_status in started:  # each one is accepted
        moved = services.change_status(booking=booking, to_status=to_status, by=pro, now=at(10, 5))
        assert moved.status == to_status
        assert services.allowed_moves(moved, by=pro, now=at(10, 5)) == []
        Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CONFIRMED)
        booking.refresh_from_db()


def test_can_reschedule_follows_the_reschedule_rules(client_user, other_user, specialist):
    service = make_service(specialist, reschedule_cutoff_minutes=60)
    booking, _ = book(client_user, service, at(10))
    assert services.can_reschedule(booking, by=client_user, now=NOW)
    assert services.can_reschedule(booking, by=specialist.user, now=NOW)
    assert not services.can_reschedule(booking, by=other_user, now=NOW)
    late = at(9, 30)  # inside the service's own 60-minute cutoff
    assert not services.can_reschedule(booking, by=client_user, now=late)
    assert services.can_reschedule(booking, by=specialist.user, now=late)
    with pytest.raises(exceptions.ChangeRefused):
        services.reschedule_booking(booking=booking, start=at(15), by=client_user, now=late)
    services.cancel_booking(booking=booking, by=client_user, now=NOW)
    booking.refresh_from_db()
    assert not services.can_reschedule(booking, by=specialist.user, now=NOW)
