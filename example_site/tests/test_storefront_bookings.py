"""The bookings pages: specialists, the slot picker in the visitor's zone, my
bookings (cancel, reschedule) and the specialist's desk; each user reaches only
their own bookings, bad input is a 400 on the page, never a 500."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop_accounts.services import create_user
from shop_bookings.models import (
    Booking,
    BookingStatus,
    ScheduleException,
    Service,
    Specialist,
    WorkingHours,
)
from shop_bookings.selectors import free_slots_for
from shop_bookings.services import create_booking

pytestmark = pytest.mark.django_db

BERLIN, MOSCOW, TOKYO = "Europe/Berlin", "Europe/Moscow", "Asia/Tokyo"


def make_specialist(email: str, zone: str, **service_fields) -> Service:
    user = create_user(email=email, password="pw-Correct-Horse-42")
    specialist = Specialist.objects.create(
        user=user, display_name=email.split("@")[0], time_zone=zone
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(specialist=specialist, weekday=day, start=time(9), end=time(18))
        for day in range(7)
    )
    fields = {"name": "Massage", "price": Decimal("60.00"), "duration_minutes": 60}
    return Service.objects.create(specialist=specialist, **{**fields, **service_fields})


@pytest.fixture
def service() -> Service:
    return make_specialist("boris@example.com", BERLIN)


@pytest.fixture
def alice(client):
    user = create_user(email="alice@example.com", password="pw-Correct-Horse-42")
    client.force_login(user)
    return user


@pytest.fixture
def mallory():
    return create_user(email="mallory@example.com", password="pw-Correct-Horse-42")


def free(service: Service, days: int = 7, now=None) -> list:
    now = now or timezone.now()
    return free_slots_for(
        specialist=service.specialist,
        service=service,
        window_start=now,
        window_end=now + timedelta(days=days),
        now=now,
    )


def page_url(service: Service) -> str:
    return f"/specialists/services/{service.pk}/"


def shown_slots(body: str) -> list[tuple[str, str]]:
    """(UTC instant, shown local time) of every slot button of a page."""
    return re.findall(r'data-start="([^"]+)"[^>]*><span class="local">(\d\d:\d\d)</span>', body)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def book(user, service: Service, start, zone: str = TOKYO) -> Booking:
    return create_booking(client=user, service=service, start=start, time_zone=zone)[0]


# --- Specialists and the picker ----------------------------------------------


def test_specialists_list_services_and_zones_in_constant_queries(client, service):
    body = client.get("/specialists/").content.decode()
    assert "boris" in body and BERLIN in body and "Massage" in body and "60 minutes" in body
    assert f'href="{page_url(service)}"' in body
    before = queries(client, "/specialists/")
    for n in range(3):
        more = make_specialist(f"s{n}@example.com", MOSCOW, name=f"Cut {n}")
        Service.objects.create(
            specialist=more.specialist, name="Extra", price=1, duration_minutes=30
        )
    assert queries(client, "/specialists/") == before
    inactive = make_specialist("gone@example.com", MOSCOW, name="Hidden service")
    Specialist.objects.filter(pk=inactive.specialist_id).update(is_active=False)
    assert "Hidden service" not in client.get("/specialists/").content.decode()


def test_slots_are_shown_in_the_visitors_zone_with_the_specialists_time(client, service):
    client.cookies["tz"] = TOKYO
    response = client.get(page_url(service))
    assert response.status_code == 200
    shown = shown_slots(response.content.decode())
    expected = free(service)
    assert shown and len(shown) <= len(expected)
    tokyo, berlin = zoneinfo.ZoneInfo(TOKYO), zoneinfo.ZoneInfo(BERLIN)
    by_instant = {start.isoformat(): start for start in expected}
    for instant, local in shown:
        start = by_instant[instant]  # every button is a free slot
        assert local == start.astimezone(tokyo).strftime("%H:%M")
    first = by_instant[shown[0][0]]
    assert f"{first.astimezone(berlin):%H:%M} there" in response.content.decode()
    # In the specialist's own zone the second time is not repeated.
    client.cookies["tz"] = BERLIN
    body = client.get(page_url(service)).content.decode()
    assert " there<" not in body
    assert shown_slots(body)[0][1] == first.astimezone(berlin).strftime("%H:%M")


def test_the_zone_select_is_remembered_and_a_bad_zone_is_a_400(client, service, settings):
    response = client.get(page_url(service), {"tz": "America/New_York"})
    assert response.status_code == 200 and response.cookies["tz"].value == "America/New_York"
    assert client.get(page_url(service)).context["zone"] == "America/New_York"
    bad = client.get(page_url(service), {"tz": "Mars/Olympus"})
    assert bad.status_code == 400
    assert "Mars/Olympus is not a known IANA time zone." in bad.content.decode()
    assert bad.context["zone"] == "America/New_York"  # the remembered one, unchanged
    client.cookies["tz"] = "../../etc/passwd"  # a cookie is only a hint: the site's zone
    assert client.get(page_url(service)).context["zone"] == settings.TIME_ZONE
    assert client.get(page_url(service), {"week": "-1"}).status_code == 400
    assert client.get(page_url(service), {"week": "99999"}).status_code == 400
    later = client.get(page_url(service), {"week": "1"})
    assert later.status_code == 200 and later.context["previous_week"] == 0
    assert client.get("/specialists/services/999999/").status_code == 404


def test_book_a_slot_and_see_it_in_my_bookings_in_my_zone(client, service, alice):
    start = free(service)[3]
    data = {"start": start.isoformat(), "tz": TOKYO, "key": "7a7b8c3e-1111-4d4d-9e9e-000000000001"}
    response = client.post(page_url(service), data)
    assert response.status_code == 302 and response["Location"] == "/cabinet/bookings/"
    booking = Booking.objects.get(client=alice)
    assert (booking.start, booking.client_time_zone) == (start, TOKYO)
    again = client.post(page_url(service), data)  # sent twice: still one booking
    assert again.status_code == 302 and Booking.objects.filter(client=alice).count() == 1
    client.cookies["tz"] = TOKYO
    body = client.get("/cabinet/bookings/").content.decode()
    assert f'<span class="local">{start.astimezone(zoneinfo.ZoneInfo(TOKYO)):%H:%M}</span>' in body
    assert 'aria-current="page"' in body and "Massage" in body  # the cabinet's tabs
    assert start.isoformat() not in shown_slots(client.get(page_url(service)).content.decode())


def test_booking_refusals_are_shown_on_the_page(client, service, alice, mallory):
    start = free(service)[5]
    book(mallory, service, start)
    data = {"start": start.isoformat(), "tz": TOKYO, "key": "7a7b8c3e-1111-4d4d-9e9e-000000000002"}
    taken = client.post(page_url(service), data)
    assert taken.status_code == 400 and "This time is already taken." in taken.content.decode()
    soon = timezone.now() + timedelta(minutes=30)
    data = {**data, "start": soon.isoformat(), "key": "7a7b8c3e-1111-4d4d-9e9e-000000000003"}
    response = client.post(page_url(service), data)
    assert response.status_code == 400 and "too soon" in response.content.decode()
    for start_value, zone in (
        ("2026-13-45T99:00", TOKYO),
        ("9999-12-31T23:00:00-05:00", TOKYO),
        ("2030-01-01T10:00:00", TOKYO),
        (free(service)[7].isoformat(), "Nowhere/City"),
    ):
        bad = {**data, "start": start_value, "tz": zone}
        assert client.post(page_url(service), bad).status_code == 400
    assert not Booking.objects.filter(client=alice).exists()


def test_a_visitor_is_sent_to_log_in_before_booking(client, service):
    start = free(service)[0]
    body = client.get(page_url(service)).content.decode()
    assert "Log in to book" in body and "disabled" in body
    data = {"start": start.isoformat(), "tz": BERLIN, "key": "7a7b8c3e-1111-4d4d-9e9e-000000000004"}
    response = client.post(page_url(service), data)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Booking.objects.exists()


# --- My bookings ---------------------------------------------------------------


def test_cancel_and_reschedule_my_booking(client, service, alice):
    # Past the default cutoff of a day: the client may still change it. At
    # 10:00 there (not the first free slot, which may end the day): later
    # slots the same morning overlap it.
    slots = [s for s in free(service) if s > timezone.now() + timedelta(days=2)]
    ten = next(
        s for s in slots if s.astimezone(zoneinfo.ZoneInfo(BERLIN)).strftime("%H:%M") == "10:00"
    )
    booking = book(alice, service, ten)
    body = client.get("/cabinet/bookings/").content.decode()
    assert f"/cabinet/bookings/{booking.pk}/reschedule/" in body
    assert f"/cabinet/bookings/{booking.pk}/cancel/" in body
    picker = client.get(f"/cabinet/bookings/{booking.pk}/reschedule/")
    assert picker.status_code == 200 and "Reschedule: Massage" in picker.content.decode()
    # the slots overlapping its own time are free to it (the service allows
    # them), not its current start
    offered = re.findall(r'name="start" value="([^"]+)"', picker.content.decode())
    starts = {datetime.fromisoformat(value) for value in offered}
    assert any(booking.start < start < booking.end for start in starts)
    assert booking.start not in starts
    target = next(s for s in slots if s > booking.end + timedelta(hours=2))
    moved = client.post(
        f"/cabinet/bookings/{booking.pk}/reschedule/", {"start": target.isoformat()}
    )
    assert moved.status_code == 302
    booking.refresh_from_db()
    assert booking.start == target
    wrong = client.post(
        f"/cabinet/bookings/{booking.pk}/reschedule/", {"start": "2030-01-01T10:07:00+00:00"}
    )
    assert wrong.status_code == 400 and 'id="booking-error"' in wrong.content.decode()
    assert client.post(f"/cabinet/bookings/{booking.pk}/cancel/").status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELED
    again = client.post(f"/cabinet/bookings/{booking.pk}/cancel/")
    assert again.status_code == 400
    assert "cannot be changed this way" in again.content.decode()


def test_no_buttons_and_a_400_once_the_cutoff_has_passed(client, service, alice):
    Service.objects.filter(pk=service.pk).update(
        cancel_cutoff_minutes=10_000, reschedule_cutoff_minutes=10_000
    )
    service.refresh_from_db()
    booking = book(alice, service, free(service)[0])
    body = client.get("/cabinet/bookings/").content.decode()
    assert "Too late to change" in body and f"{booking.pk}/cancel/" not in body
    response = client.post(f"/cabinet/bookings/{booking.pk}/cancel/")
    assert response.status_code == 400 and "too late" in response.content.decode()
    target = free(service)[-1].isoformat()
    moved = client.post(f"/cabinet/bookings/{booking.pk}/reschedule/", {"start": target})
    assert moved.status_code == 400
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_another_users_bookings_are_not_there(client, service, alice, mallory):
    theirs = book(mallory, service, free(service)[2])
    start = theirs.start
    assert "mallory" not in client.get("/cabinet/bookings/").content.decode()
    assert f"booking-{theirs.pk}" not in client.get("/cabinet/bookings/").content.decode()
    assert client.post(f"/cabinet/bookings/{theirs.pk}/cancel/").status_code == 404
    assert client.get(f"/cabinet/bookings/{theirs.pk}/reschedule/").status_code == 404
    target = free(service)[-1].isoformat()
    assert (
        client.post(f"/cabinet/bookings/{theirs.pk}/reschedule/", {"start": target}).status_code
        == 404
    )
    assert client.post("/cabinet/bookings/999999/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.status, theirs.start) == (BookingStatus.CONFIRMED, start)
    client.logout()
    assert client.get("/cabinet/bookings/").status_code == 302


def test_my_bookings_runs_a_constant_number_of_queries(client, service, alice):
    slots = free(service)
    book(alice, service, slots[0])
    past_now = timezone.now() - timedelta(days=6)
    create_booking(client=alice, service=service, start=free(service, 3, past_now)[0], now=past_now)
    before = queries(client, "/cabinet/bookings/")
    other = make_specialist("anna@example.com", MOSCOW)
    for start in free(other)[::8][:3]:
        book(alice, other, start)
    for start in slots[8::8][:2]:
        book(alice, service, start)
    create_booking(client=alice, service=service, start=free(service, 3, past_now)[4], now=past_now)
    assert Booking.objects.filter(client=alice).count() == 8
    assert queries(client, "/cabinet/bookings/") == before


# --- The specialist's desk ------------------------------------------------------


@pytest.fixture
def specialist_client(client, service, alice):
    # After alice's fixture, which logs alice in.
    client.force_login(service.specialist.user)
    return client


def test_only_specialists_open_the_desk(client, service, alice):
    assert client.get("/desk/specialist/").status_code == 403
    assert client.post("/desk/specialist/hours/", {"weekday": 0}).status_code == 403
    client.logout()
    assert client.get("/desk/specialist/").status_code == 302


def test_desk_buttons_are_the_allowed_moves(specialist_client, service, alice):
    Service.objects.filter(pk=service.pk).update(requires_confirmation=True)
    service.refresh_from_db()
    pending = book(alice, service, free(service)[0])
    past_now = timezone.now() - timedelta(days=3)
    started = create_booking(
        client=alice, service=service, start=free(service, 2, past_now)[0], now=past_now
    )[0]
    Booking.objects.filter(pk=started.pk).update(status=BookingStatus.CONFIRMED)
    body = specialist_client.get("/desk/specialist/").content.decode()

    def buttons(booking):
        row = body[body.index(f'id="booking-{booking.pk}"') :].split("</tr>")[0]
        return re.findall(r'name="to" value="(\w+)"', row)

    assert buttons(pending) == ["confirmed", "canceled"]
    assert buttons(started) == ["canceled", "completed", "no_show"]
    response = specialist_client.post(
        f"/desk/specialist/bookings/{pending.pk}/status/", {"to": "confirmed"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == BookingStatus.CONFIRMED
    early = specialist_client.post(
        f"/desk/specialist/bookings/{pending.pk}/status/", {"to": "no_show"}
    )
    assert early.status_code == 400 and "has not started yet" in early.content.decode()
    bad = specialist_client.post(f"/desk/specialist/bookings/{pending.pk}/status/", {"to": "gone"})
    assert bad.status_code == 400
    marked = specialist_client.post(
        f"/desk/specialist/bookings/{started.pk}/status/", {"to": "no_show"}
    )
    assert marked.status_code == 302
    started.refresh_from_db()
    assert started.status == BookingStatus.NO_SHOW


def test_desk_shows_only_the_specialists_own_bookings(client, service, alice):
    other = make_specialist("anna@example.com", MOSCOW)
    theirs = book(alice, other, free(other)[0])
    client.force_login(service.specialist.user)
    assert f"booking-{theirs.pk}" not in client.get("/desk/specialist/").content.decode()
    response = client.post(f"/desk/specialist/bookings/{theirs.pk}/status/", {"to": "canceled"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == BookingStatus.CONFIRMED
    row = WorkingHours.objects.filter(specialist=other.specialist).first()
    assert client.post(f"/desk/specialist/hours/{row.pk}/delete/").status_code == 404
    assert WorkingHours.objects.filter(pk=row.pk).exists()


def test_desk_edits_hours_and_exceptions_through_the_package(specialist_client, service):
    profile = service.specialist
    added = specialist_client.post(
        "/desk/specialist/hours/", {"weekday": 5, "start": "19:00", "end": "00:00"}
    )
    assert added.status_code == 302
    row = WorkingHours.objects.get(specialist=profile, start=time(19))
    assert (row.weekday, row.end) == (5, time(0))
    bad = specialist_client.post(
        "/desk/specialist/hours/", {"weekday": 5, "start": "19:00", "end": "10:00"}
    )
    assert bad.status_code == 400
    assert "The end must be after the start" in bad.content.decode()
    assert specialist_client.post(f"/desk/specialist/hours/{row.pk}/delete/").status_code == 302
    assert not WorkingHours.objects.filter(pk=row.pk).exists()

    day = (timezone.now() + timedelta(days=3)).date()
    off = specialist_client.post(
        "/desk/specialist/exceptions/", {"date": day.isoformat(), "is_day_off": "on", "note": "ill"}
    )
    assert off.status_code == 302
    exception = ScheduleException.objects.get(specialist=profile, date=day)
    assert exception.is_day_off and exception.note == "ill"
    assert day.strftime("%Y") in specialist_client.get("/desk/specialist/").content.decode()
    both = specialist_client.post(
        "/desk/specialist/exceptions/",
        {"date": day.isoformat(), "is_day_off": "on", "start": "10:00", "end": "12:00"},
    )
    assert both.status_code == 400 and "A day off has no start or end." in both.content.decode()
    missing = specialist_client.post("/desk/specialist/exceptions/", {"date": day.isoformat()})
    assert (
        missing.status_code == 400
        and "Other hours need a start and an end." in missing.content.decode()
    )
    far = specialist_client.post("/desk/specialist/exceptions/", {"date": "9999-01-01"})
    assert far.status_code == 400
    assert ScheduleException.objects.filter(specialist=profile).count() == 1
    removed = specialist_client.post(f"/desk/specialist/exceptions/{exception.pk}/delete/")
    assert removed.status_code == 302 and not ScheduleException.objects.exists()


def test_desk_runs_a_constant_number_of_queries(specialist_client, service, alice, mallory):
    slots = free(service)
    book(alice, service, slots[0])
    before = queries(specialist_client, "/desk/specialist/")
    for n, user in enumerate((alice, mallory, alice, mallory)):
        book(user, service, slots[8 + 8 * n])
    ScheduleException.objects.create(specialist=service.specialist, date=slots[-1].date())
    assert queries(specialist_client, "/desk/specialist/") == before


def test_every_input_of_the_bookings_pages_has_a_label(client, service, alice):
    from .test_storefront_a11y import unlabelled

    book(alice, service, free(service)[0])
    pages = ["/specialists/", page_url(service), "/cabinet/bookings/"]
    for url in pages:
        assert unlabelled(client.get(url).content.decode()) == [], url
    client.force_login(service.specialist.user)
    assert unlabelled(client.get("/desk/specialist/").content.decode()) == []
