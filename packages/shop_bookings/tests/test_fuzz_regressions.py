"""Regressions found by fuzzing the API (schemathesis): no 500s, answers match the schema."""

from datetime import time

import pytest

from shop_bookings.models import ScheduleException
from shop_core.testing import assert_matches_schema, openapi

from .factories import future_day, make_specialist, make_user

pytestmark = pytest.mark.django_db

BASE = "/api/v1/bookings"


def test_options_on_my_profile_is_not_a_500(api_as):
    specialist = make_specialist()
    response = api_as(specialist.user).options(f"{BASE}/specialists/me/")
    assert response.status_code == 200  # get_object() had no pk to look up
    assert set(response.json()["actions"]) >= {"PUT"}


def test_options_on_my_profile_without_one_is_still_an_answer(api_as):
    response = api_as(make_user("nobody")).options(f"{BASE}/specialists/me/")
    assert response.status_code in (200, 403)


def test_times_without_offset_match_the_schema(api_as):
    specialist = make_specialist()
    exception = ScheduleException.objects.create(
        specialist=specialist, date=future_day(), is_day_off=False, start=time(0), end=time(0, 30)
    )
    day_off = ScheduleException.objects.create(
        specialist=specialist, date=future_day(4), is_day_off=True
    )
    api = api_as(specialist.user)
    document = openapi()
    hours = specialist.working_hours.first()
    for path, url in [
        ("/working-hours/", "/working-hours/"),
        ("/working-hours/{id}/", f"/working-hours/{hours.pk}/"),
        ("/schedule-exceptions/", "/schedule-exceptions/"),
        ("/schedule-exceptions/{id}/", f"/schedule-exceptions/{exception.pk}/"),
        ("/schedule-exceptions/{id}/", f"/schedule-exceptions/{day_off.pk}/"),
    ]:
        response = api.get(BASE + url)
        assert response.status_code == 200
        assert_matches_schema(document, BASE + path, "get", 200, response.json())
    assert api.get(f"{BASE}/schedule-exceptions/{exception.pk}/").json()["start"] == "00:00:00"


def test_schema_times_have_no_offset_format():
    document = openapi()
    for name in ("WorkingHours", "ScheduleException"):
        for field in ("start", "end"):
            schema = document["components"]["schemas"][name]["properties"][field]
            assert "format" not in schema  # format: time demands an offset (RFC 3339)
            assert schema["pattern"].startswith("^")


def test_a_time_the_schema_allows_is_accepted(api_as):
    specialist = make_specialist(hours=None)
    api = api_as(specialist.user)
    for start, end in (("09:00", "10:00"), ("09:00:00", "10:00:00.5")):
        body = {"weekday": 1, "start": start, "end": end}
        response = api.post(f"{BASE}/working-hours/", body, format="json")
        assert response.status_code == 201, response.content
        assert_matches_schema(openapi(), f"{BASE}/working-hours/", "post", 201, response.json())
        api.delete(f"{BASE}/working-hours/{response.json()['id']}/")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end"), [("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-02")]
)
def test_far_dates_for_slots_are_400(start, end):
    from rest_framework.test import APIClient

    from .factories import make_service, make_specialist

    specialist = make_specialist()
    service = make_service(specialist)
    response = APIClient().get(
        f"/api/v1/bookings/specialists/{specialist.pk}/slots/",
        {"service": service.pk, "from": start, "to": end},
    )
    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} <= {"from", "to"}
    assert {error["code"] for error in response.json()["errors"]} == {"out_of_range"}


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["0", "abc", "99999"])
def test_pages_that_do_not_exist_are_400(page):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/bookings/specialists/", {"page": page})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"code": "invalid_page", "detail": "Invalid page.", "attr": "page"}
    ]
