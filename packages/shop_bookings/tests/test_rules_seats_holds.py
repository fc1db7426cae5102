"""Issue 18: rules per service, seats, holds, specialist reschedule, client zones, erasure."""

from datetime import date, datetime, time, timedelta, timezone

import pytest
from django.core import mail
from django.db.models import F
from django.test import override_settings

from shop_bookings import exceptions, services
from shop_bookings.models import Booking, BookingHold, BookingStatus, CalendarFeedToken
from shop_bookings.selectors import free_slots_for
from shop_bookings.users import email_of
from shop_core.signals import erasing_personal_data

from .factories import error_codes, make_service, make_specialist, make_user

UTC = timezone.utc
NOW = datetime(2030, 6, 3, 8, 0, tzinfo=UTC)  # a Monday
TUESDAY = date(2030, 6, 4)
BASE = "/api/v1/bookings/"
pytestmark = pytest.mark.django_db


def at(hour, minute=0, day=TUESDAY):
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def listed(service, day=TUESDAY, now=NOW):
    return free_slots_for(
        specialist=service.specialist,
        service=service,
        window_start=at(0, day=day),
        window_end=at(0, day=day + timedelta(days=1)),
        now=now,
    )


def refused(code, function, **kwargs):
    with pytest.raises(exceptions.BookingRejected) as info:
        function(**kwargs)
    assert info.value.code == code, info.value.code


# --- rules per service ------------------------------------------------------------


@override_settings(SHOP_BOOKINGS={"SLOT_STEP_MINUTES": 30, "BUFFER_AFTER_MINUTES": 30})
def test_a_service_rule_wins_over_the_setting_and_empty_falls_back(client_user, specialist):
    default = make_service(specialist, duration_minutes=60)
    own = make_service(
        specialist, duration_minutes=60, slot_step_minutes=20, buffer_after_minutes=0
    )
    # Setting: a 30-minute grid, 30 minutes of clean-up inside 09:00-18:00.
    assert listed(default)[:2] == [at(9), at(9, 30)] and listed(default)[-1] == at(16, 30)
    assert listed(own)[:2] == [at(9), at(9, 20)] and listed(own)[-1] == at(17)
    refused("off_grid", services.create_booking, client=client_user, service=default,
            start=at(9, 20), now=NOW)  # fmt: skip
    booking, _ = services.create_booking(client=client_user, service=own, start=at(9, 20), now=NOW)
    assert booking.blocked_end == booking.end  # the service's own 0 minutes


def test_notice_and_horizon_per_service(client_user, specialist):
    near = make_service(specialist, min_notice_minutes=0, horizon_days=1)
    book = dict(client=client_user, service=near)
    services.create_booking(**book, start=at(9, day=date(2030, 6, 3)) + timedelta(hours=1), now=NOW)
    refused("horizon", services.create_booking, **book, start=at(10), now=NOW)
    far = make_service(specialist, min_notice_minutes=3 * 24 * 60)
    refused("min_notice", services.create_booking, client=client_user, service=far,
            start=at(12), now=NOW)  # fmt: skip


def test_cancel_and_reschedule_cutoffs_per_service(client_user, specialist):
    service = make_service(specialist, cancel_cutoff_minutes=60, reschedule_cutoff_minutes=600)
    booking, _ = services.create_booking(client=client_user, service=service, start=at(12), now=NOW)
    late = at(4)  # 8 hours before: inside the 10-hour reschedule cutoff, not the 1-hour one
    refused("cutoff", services.reschedule_booking, booking=booking, start=at(14), by=client_user,
            now=late)  # fmt: skip
    canceled = services.cancel_booking(booking=booking, by=client_user, now=late)
    assert canceled.status == BookingStatus.CANCELED


def test_limits_per_client_per_day_and_week(client_user, other_user, specialist):
    service = make_service(specialist, max_per_client_per_day=1, max_per_client_per_week=2)
    book = dict(client=client_user, service=service, now=NOW)
    services.create_booking(**book, start=at(9))
    refused("day_limit", services.create_booking, **book, start=at(14))
    services.create_booking(**book, start=at(9, day=date(2030, 6, 5)))
    refused("week_limit", services.create_booking, **book, start=at(9, day=date(2030, 6, 6)))
    services.create_booking(**book, start=at(9, day=date(2030, 6, 10)))  # next ISO week
    # Another client, and a canceled booking, do not count.
    services.create_booking(client=other_user, service=service, start=at(14), now=NOW)
    first = Booking.objects.filter(client=client_user).order_by("start").first()
    services.cancel_booking(booking=first, by=specialist.user, now=NOW)
    services.create_booking(**book, start=at(15))


@override_settings(SHOP_BOOKINGS={"MAX_BOOKINGS_PER_DAY": 1})
def test_the_limit_is_counted_in_the_specialists_local_day(client_user):
    specialist = make_specialist(time_zone="America/New_York", hours=(time(0), time(0)))
    service = make_service(specialist)
    # 23:00 and 01:00 New York time on Tuesday are both Wednesday in UTC terms.
    services.create_booking(client=client_user, service=service, start=at(3), now=NOW)
    services.create_booking(client=client_user, service=service, start=at(5), now=NOW)
    refused("day_limit", services.create_booking, client=client_user, service=service,
            start=at(23), now=NOW)  # fmt: skip


# --- seats ------------------------------------------------------------------------


def test_a_group_session_takes_its_seats_then_is_full(specialist):
    group = make_service(specialist, capacity=3, duration_minutes=60)
    clients = [make_user() for _ in range(4)]
    bookings = [
        services.create_booking(client=c, service=group, start=at(10), now=NOW)[0]
        for c in clients[:3]
    ]
    assert len({b.session for b in bookings}) == 1  # one session key: they share the time
    assert at(10) not in listed(group)
    refused("full", services.create_booking, client=clients[3], service=group, start=at(10),
            now=NOW)  # fmt: skip
    # One specialist: another service cannot overlap the class; a canceled seat frees one.
    single = make_service(specialist, duration_minutes=30)
    refused("taken", services.create_booking, client=clients[3], service=single, start=at(10, 30),
            now=NOW)  # fmt: skip
    services.cancel_booking(booking=bookings[0], by=specialist.user, now=NOW)
    assert at(10) in listed(group)
    joined, _ = services.create_booking(client=clients[3], service=group, start=at(10), now=NOW)
    assert joined.session == bookings[1].session


def test_a_single_seat_service_has_a_session_of_its_own(client_user, other_user, service):
    first, _ = services.create_booking(client=client_user, service=service, start=at(10), now=NOW)
    second, _ = services.create_booking(client=other_user, service=service, start=at(12), now=NOW)
    assert first.session != second.session
    refused("taken", services.create_booking, client=make_user(), service=service, start=at(10),
            now=NOW)  # fmt: skip


# --- holds ------------------------------------------------------------------------


@override_settings(SHOP_BOOKINGS={"HOLD_MINUTES": 5})
def test_a_hold_blocks_others_until_it_lapses(client_user, other_user, service):
    hold = services.hold_slot(client=client_user, service=service, start=at(10), now=NOW)
    assert hold.expires_at == NOW + timedelta(minutes=5)
    assert at(10) not in listed(service)
    refused("taken", services.create_booking, client=other_user, service=service, start=at(10),
            now=NOW)  # fmt: skip
    refused("taken", services.hold_slot, client=other_user, service=service, start=at(10),
            now=NOW)  # fmt: skip
    lapsed = NOW + timedelta(minutes=5)
    assert at(10) in listed(service, now=lapsed)  # no job ran: expiry is part of the rule
    services.create_booking(client=other_user, service=service, start=at(10), now=lapsed)
    refused("hold_expired", services.book_hold, client=client_user, hold=hold, now=lapsed)


def test_the_holder_books_the_hold_once(client_user, other_user, service):
    hold = services.hold_slot(client=client_user, service=service, start=at(10), now=NOW)
    later = NOW + timedelta(minutes=3)
    refused("hold_expired", services.book_hold, client=other_user, hold=hold, now=later)
    booking, created = services.book_hold(
        client=client_user, hold=hold, comment="hi", time_zone="Asia/Tokyo", now=later
    )
    assert created and (booking.start, booking.client_time_zone) == (at(10), "Asia/Tokyo")
    again, created = services.book_hold(client=client_user, hold=hold, comment="hi", now=later)
    assert (again.pk, created) == (booking.pk, False)
    assert Booking.objects.count() == 1
    # The booked hold blocks no more by itself: canceling the booking frees the slot.
    services.cancel_booking(booking=booking, by=client_user, now=NOW)
    assert at(10) in listed(service)


def test_holds_over_http_are_private(api_as, client_user, other_user, service):
    start = datetime.combine(datetime.now(UTC).date() + timedelta(days=3), time(10), tzinfo=UTC)
    api = api_as(client_user)
    made = api.post(
        f"{BASE}holds/", {"service": service.pk, "start": start.isoformat()}, format="json"
    )
    assert made.status_code == 201, made.data
    hold_id = made.data["id"]
    assert [h["id"] for h in api.get(f"{BASE}holds/").data["results"]] == [hold_id]
    other = api_as(other_user)
    assert other.get(f"{BASE}holds/{hold_id}/").status_code == 404
    assert other.delete(f"{BASE}holds/{hold_id}/").status_code == 404
    stolen = other.post(f"{BASE}bookings/", {"hold": hold_id}, format="json")
    assert stolen.status_code == 400 and error_codes(stolen) == {"hold": ["does_not_exist"]}
    booked = api_as(client_user).post(f"{BASE}bookings/", {"hold": hold_id}, format="json")
    assert booked.status_code == 201 and booked.data["start"].startswith(start.date().isoformat())
    assert api_as(client_user).get(f"{BASE}holds/").data["results"] == []


def test_release_gives_the_slot_back(client_user, service):
    hold = services.hold_slot(client=client_user, service=service, start=at(10), now=NOW)
    services.release_hold(client=client_user, hold=hold)
    assert not BookingHold.objects.exists()
    assert at(10) in listed(service)


# --- specialist reschedule and the client's zone ----------------------------------


def test_specialist_reschedules_and_the_client_reads_their_own_zone(
    client_user, service, django_capture_on_commit_callbacks
):
    booking, _ = services.create_booking(
        client=client_user, service=service, start=at(10), time_zone="Asia/Tokyo", now=NOW
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_booking(
            booking=booking, start=at(14), by=service.specialist.user, now=NOW
        )
    to_client = [m for m in mail.outbox if m.to == [email_of(client_user)]]
    to_specialist = [m for m in mail.outbox if m.to == [email_of(service.specialist.user)]]
    assert len(to_client) == 1 and len(to_specialist) == 1
    assert "2030-06-04 23:00 (Asia/Tokyo)" in to_client[0].body  # 14:00 UTC in Tokyo
    assert "2030-06-04 14:00 (UTC)" in to_specialist[0].body


@override_settings(SHOP_BOOKINGS={"DEFAULT_CLIENT_TIME_ZONE": "Europe/Berlin"})
def test_the_client_zone_defaults_to_the_setting(client_user, service):
    booking, _ = services.create_booking(client=client_user, service=service, start=at(10), now=NOW)
    assert booking.client_time_zone == "Europe/Berlin"


def test_an_unknown_client_zone_is_a_400(api_as, client_user, service):
    start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=10, minute=0, second=0)
    response = api_as(client_user).post(
        f"{BASE}bookings/",
        {"service": service.pk, "start": start.isoformat(), "time_zone": "Mars/Base"},
        format="json",
    )
    assert response.status_code == 400
    assert error_codes(response) == {"time_zone": ["invalid_time_zone"]}
    assert not Booking.objects.exists()


# --- compact slots ----------------------------------------------------------------


def test_compact_slots_are_the_same_starts_grouped_by_local_day(api, service):
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    query = {"service": service.pk, "from": day, "to": day + timedelta(days=2), "tz": "Asia/Tokyo"}
    url = f"{BASE}specialists/{service.specialist.pk}/slots/"
    full = api.get(url, query).json()
    compact = api.get(url, {**query, "group": "day"}).json()
    rebuilt = [f"{d['date']}T{clock}" for d in compact["days"] for clock in d["starts"]]
    expected = [s["local_start"][:16] + s["local_start"][19:] for s in full["slots"]]
    assert rebuilt == expected and len(rebuilt) > 10
    assert compact["duration_minutes"] == service.duration_minutes
    bad = api.get(url, {**query, "group": "week"})
    assert bad.status_code == 400 and error_codes(bad) == {"group": ["invalid_choice"]}


# --- erasure ----------------------------------------------------------------------


def test_erasing_a_client_cancels_ahead_tells_the_specialist_and_removes_their_data(
    client_user, other_user, service, django_capture_on_commit_callbacks
):
    ahead, _ = services.create_booking(
        client=client_user,
        service=service,
        # 10:00 and 12:00 three days ahead: inside the 9-18 hours whatever the time of the run
        start=datetime.combine(datetime.now(UTC).date() + timedelta(days=3), time(10), tzinfo=UTC),
        comment="my phone is 555",
    )
    kept, _ = services.create_booking(
        client=other_user,
        service=service,
        start=ahead.start + timedelta(hours=2),
        comment="other's note",
    )
    services.get_feed_token(user=client_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # as shop_accounts does it
        erasing_personal_data.send(sender=type(client_user), user=client_user)
        client_user.delete()
    ahead.refresh_from_db()
    assert (ahead.status, ahead.client_id, ahead.comment) == ("canceled", None, "")
    assert [m.to for m in mail.outbox] == [[email_of(service.specialist.user)]]
    assert "canceled" in mail.outbox[0].subject.lower()
    assert not CalendarFeedToken.objects.exists()
    kept.refresh_from_db()
    assert (kept.status, kept.comment) == ("confirmed", "other's note")


def test_erasing_a_specialist_detaches_the_profile_cancels_ahead_and_tells_the_clients(
    api_as, client_user, other_user, django_capture_on_commit_callbacks
):
    leaving = make_specialist(bio="20 years of cuts", city="Riga")
    staying = make_specialist()
    service, elsewhere = make_service(leaving), make_service(staying)
    start = datetime.combine(datetime.now(UTC).date() + timedelta(days=3), time(10), tzinfo=UTC)
    ahead, _ = services.create_booking(
        client=client_user, service=service, start=start, time_zone="Asia/Tokyo"
    )
    past, _ = services.create_booking(
        client=client_user, service=service, start=start + timedelta(hours=2)
    )
    back = timedelta(days=10)  # into the past, as if done and completed
    Booking.objects.filter(pk=past.pk).update(
        status=BookingStatus.COMPLETED,
        **{f: F(f) - back for f in ("start", "end", "blocked_start", "blocked_end")},
    )
    other, _ = services.create_booking(client=other_user, service=elsewhere, start=start)
    services.hold_slot(client=other_user, service=service, start=start + timedelta(hours=4))
    user = leaving.user
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # as shop_accounts does it
        erasing_personal_data.send(sender=type(user), user=user)
        user.delete()  # not refused: no booking protects the account any more
    leaving.refresh_from_db()
    assert (leaving.user_id, leaving.is_active, leaving.bio, leaving.city) == (None, False, "", "")
    assert not service.__class__.objects.filter(specialist=leaving, is_active=True).exists()
    assert not BookingHold.objects.filter(specialist=leaving).exists()
    ahead.refresh_from_db()
    assert ahead.status == "canceled"
    assert [m.to for m in mail.outbox] == [[email_of(client_user)]]  # the client, nobody else
    assert "canceled" in mail.outbox[0].subject.lower() and "Asia/Tokyo" in mail.outbox[0].body
    # The past stays in the client's history, with the specialist's name; others untouched.
    history = api_as(client_user).get(f"{BASE}bookings/").json()["results"]
    assert {(b["id"], b["status"]) for b in history} == {
        (ahead.pk, "canceled"),
        (past.pk, "completed"),
    }
    assert Booking.objects.get(pk=past.pk).specialist.display_name == leaving.display_name
    other.refresh_from_db()
    assert other.status == "confirmed" and other.specialist.user_id is not None
    # Nobody can book the closed profile.
    refused(
        "inactive_service", services.create_booking, client=other_user, service=service, start=start
    )
