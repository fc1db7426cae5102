"""The hand-written iCalendar: escaping, folding, CRLF, UTC; the private feed endpoint."""

import pytest

from shop_bookings import ics, services
from shop_bookings.models import CalendarFeedToken

from .factories import at, future_day, make_service, make_specialist, make_user

BASE = "/api/v1/bookings/"


def test_escape_text():
    assert ics.escape_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"


def test_fold_splits_at_75_octets_without_breaking_utf8():
    line = "SUMMARY:" + "Стрижка " * 20
    folded = ics.fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


def test_render_calendar_uses_crlf_and_utc():
    body = ics.render_calendar(
        name="Mine",
        prodid="-//x//y//EN",
        events=[{"UID": "1@x", "DTSTART": at(future_day(), 10), "SUMMARY": "a, b"}],
    )
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    assert f"DTSTART:{future_day():%Y%m%d}T100000Z\r\n" in body
    assert "SUMMARY:a\\, b\r\n" in body


@pytest.mark.django_db
def test_feed_for_client_and_specialist(api_as, api):
    specialist = make_specialist(display_name="Dr. Who")
    service = make_service(specialist, name="Check-up; full")
    client = make_user("clara")
    booking, _ = services.create_booking(
        client=client, service=service, start=at(future_day(), 10), comment="line1\nline2"
    )
    client_url = api_as(client).get(f"{BASE}feed-token/").data["url"]
    specialist_url = api_as(specialist.user).get(f"{BASE}feed-token/").data["url"]
    api.force_authenticate(None)

    response = api.get(client_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert f"UID:booking-{booking.pk}@" in body
    assert "SUMMARY:Check-up\\; full - Dr. Who\r\n" in body
    assert "DESCRIPTION:line1\\nline2\r\n" in body
    assert "STATUS:CONFIRMED" in body

    body = api.get(specialist_url).content.decode()
    assert f"SUMMARY:Check-up\\; full - {client}\r\n" in body  # the user model's str()

    # A stranger's feed does not hold the booking.
    stranger = make_user()
    stranger_url = api_as(stranger).get(f"{BASE}feed-token/").data["url"]
    api.force_authenticate(None)
    assert "BEGIN:VEVENT" not in api.get(stranger_url).content.decode()


@pytest.mark.django_db
def test_feed_token_rotation_and_revocation(api_as, api, client_user):
    user_api = api_as(client_user)
    first = user_api.get(f"{BASE}feed-token/").data
    assert user_api.get(f"{BASE}feed-token/").data["token"] == first["token"]
    rotated = user_api.post(f"{BASE}feed-token/").data
    assert rotated["token"] != first["token"]
    api.force_authenticate(None)
    assert api.get(first["url"]).status_code == 404
    assert api.get(rotated["url"]).status_code == 200
    assert api_as(client_user).delete(f"{BASE}feed-token/").status_code == 204
    api.force_authenticate(None)
    assert api.get(rotated["url"]).status_code == 404
    assert not CalendarFeedToken.objects.exists()


@pytest.mark.django_db
def test_feed_token_needs_login(api):
    assert api.get(f"{BASE}feed-token/").status_code in (401, 403)
