"""Hostile input on every write endpoint: a 4xx, never a 5xx, and the database unchanged.

Each endpoint is described once (who calls it, a valid body, the kind of
each field); the tests cross every endpoint with every hostile value of
its fields' kinds. A control test proves each valid body is accepted, so a
refusal below is caused by the hostile value and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from shop_bookings.models import Booking, CalendarFeedToken, ScheduleException
from shop_core.testing import nested_json

from .factories import at, error_codes, future_day, make_service, make_specialist, make_user

pytestmark = pytest.mark.django_db
BASE = "/api/v1/bookings/"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def other_digits(value: Any) -> str:
    """``value`` written with Arabic-Indic digits (``30`` -> ``٣٠``)."""
    return str(value).translate(ARABIC_INDIC)


@dataclass
class World:
    specialist: Any
    service: Any  # requires confirmation, has bookings
    spare_service: Any  # no bookings: may be edited and deleted
    client: Any
    pending: Booking  # ahead: confirm, cancel, reschedule
    started: Booking  # confirmed, started: complete, no-show
    hours: Any
    exception: ScheduleException


@pytest.fixture
def world() -> World:
    specialist = make_specialist()
    service = make_service(specialist, requires_confirmation=True)
    client = make_user("hostile-client")
    CalendarFeedToken.objects.create(user=client)
    pending = raw_booking(service, client, at(future_day(5), 10), "pending")
    past_start = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    started = raw_booking(service, client, past_start, "confirmed")
    return World(
        specialist=specialist,
        service=service,
        spare_service=make_service(specialist),
        client=client,
        pending=pending,
        started=started,
        hours=specialist.working_hours.first(),
        exception=ScheduleException.objects.create(
            specialist=specialist, date=future_day(20), is_day_off=True
        ),
    )


def raw_booking(service, client, start: datetime, status: str) -> Booking:
    end = start + timedelta(hours=1)
    return Booking.objects.create(
        service=service,
        specialist=service.specialist,
        client=client,
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
        status=status,
        service_name=service.name,
        price=service.price,
    )


@dataclass
class Endpoint:
    method: str
    url: Callable[[World], str]
    user: Callable[[World], Any]
    body: Callable[[World], dict[str, Any]] = lambda w: {}
    fields: dict[str, str] = field(default_factory=dict)  # name -> kind (see HOSTILE)

    def call(self, api, world: World, body: Any, *, raw: bool = False):
        api.force_authenticate(self.user(world))
        send = getattr(api, self.method)
        if raw:
            return send(self.url(world), body, content_type="application/json")
        return send(self.url(world), body, format="json")


def _specialist(w: World):
    return w.specialist.user


def _client(w: World):
    return w.client


PROFILE = {
    "display_name": "Dr. Hostile",
    "bio": "Bio",
    "city": "Berlin",
    "experience_years": 7,
    "time_zone": "Europe/Berlin",
}
PROFILE_FIELDS = {
    "display_name": "text",
    "bio": "text",
    "city": "text",
    "time_zone": "text",
    "experience_years": "number",
}
SERVICE = {
    "name": "Beard trim",
    "description": "Trim",
    "price": "25.00",
    "duration_minutes": 30,
    "buffer_before_minutes": 5,
    "buffer_after_minutes": 5,
}
SERVICE_FIELDS = {
    "name": "text",
    "description": "text",
    "price": "number",
    "duration_minutes": "number",
    "buffer_before_minutes": "number",
    "buffer_after_minutes": "number",
}
HOURS = {"weekday": 2, "start": "10:00", "end": "12:00"}
HOURS_FIELDS = {"weekday": "number", "start": "time", "end": "time"}
EXCEPTION_FIELDS = {"date": "date", "start": "time", "end": "time", "note": "text"}


def _exception_body(w: World) -> dict[str, Any]:
    day = future_day(30).isoformat()
    return {"date": day, "is_day_off": False, "start": "10:00", "end": "12:00", "note": "x"}


def _booking_url(name: str, action: str) -> Callable[[World], str]:
    return lambda w: f"{BASE}bookings/{getattr(w, name).pk}/{action}/"


ENDPOINTS: dict[str, Endpoint] = {
    "book": Endpoint(
        "post",
        lambda w: f"{BASE}bookings/",
        _client,
        lambda w: {
            "service": w.service.pk,
            "start": at(future_day(6), 10).isoformat(),
            "comment": "hi",
        },
        {"service": "id", "start": "datetime", "comment": "text"},
    ),
    "confirm": Endpoint(
        "post",
        _booking_url("pending", "confirm"),
        _specialist,
        lambda w: {"comment": "ok"},
        {"comment": "text"},
    ),
    "cancel": Endpoint(
        "post",
        _booking_url("pending", "cancel"),
        _client,
        lambda w: {"comment": "ok"},
        {"comment": "text"},
    ),
    "complete": Endpoint(
        "post",
        _booking_url("started", "complete"),
        _specialist,
        lambda w: {"comment": "ok"},
        {"comment": "text"},
    ),
    "no-show": Endpoint(
        "post",
        _booking_url("started", "no-show"),
        _specialist,
        lambda w: {"comment": "ok"},
        {"comment": "text"},
    ),
    "reschedule": Endpoint(
        "post",
        _booking_url("pending", "reschedule"),
        _client,
        lambda w: {"start": at(future_day(5), 13).isoformat(), "comment": "later"},
        {"start": "datetime", "comment": "text"},
    ),
    "profile-put": Endpoint(
        "put", lambda w: f"{BASE}specialists/me/", _specialist, lambda w: PROFILE, PROFILE_FIELDS
    ),
    "profile-patch": Endpoint(
        "patch", lambda w: f"{BASE}specialists/me/", _specialist, lambda w: PROFILE, PROFILE_FIELDS
    ),
    "service-create": Endpoint(
        "post", lambda w: f"{BASE}services/", _specialist, lambda w: SERVICE, SERVICE_FIELDS
    ),
    "service-put": Endpoint(
        "put",
        lambda w: f"{BASE}services/{w.spare_service.pk}/",
        _specialist,
        lambda w: SERVICE,
        SERVICE_FIELDS,
    ),
    "service-patch": Endpoint(
        "patch",
        lambda w: f"{BASE}services/{w.spare_service.pk}/",
        _specialist,
        lambda w: SERVICE,
        SERVICE_FIELDS,
    ),
    "service-delete": Endpoint(
        "delete", lambda w: f"{BASE}services/{w.spare_service.pk}/", _specialist
    ),
    "hours-create": Endpoint(
        "post", lambda w: f"{BASE}working-hours/", _specialist, lambda w: HOURS, HOURS_FIELDS
    ),
    "hours-put": Endpoint(
        "put",
        lambda w: f"{BASE}working-hours/{w.hours.pk}/",
        _specialist,
        lambda w: HOURS,
        HOURS_FIELDS,
    ),
    "hours-patch": Endpoint(
        "patch",
        lambda w: f"{BASE}working-hours/{w.hours.pk}/",
        _specialist,
        lambda w: HOURS,
        HOURS_FIELDS,
    ),
    "hours-delete": Endpoint("delete", lambda w: f"{BASE}working-hours/{w.hours.pk}/", _specialist),
    "exception-create": Endpoint(
        "post",
        lambda w: f"{BASE}schedule-exceptions/",
        _specialist,
        _exception_body,
        EXCEPTION_FIELDS,
    ),
    "exception-put": Endpoint(
        "put",
        lambda w: f"{BASE}schedule-exceptions/{w.exception.pk}/",
        _specialist,
        _exception_body,
        EXCEPTION_FIELDS,
    ),
    "exception-patch": Endpoint(
        "patch",
        lambda w: f"{BASE}schedule-exceptions/{w.exception.pk}/",
        _specialist,
        _exception_body,
        EXCEPTION_FIELDS,
    ),
    "exception-delete": Endpoint(
        "delete", lambda w: f"{BASE}schedule-exceptions/{w.exception.pk}/", _specialist
    ),
    "feed-token-rotate": Endpoint("post", lambda w: f"{BASE}feed-token/", _client),
    "feed-token-revoke": Endpoint("delete", lambda w: f"{BASE}feed-token/", _client),
}

# Values that must be refused, by kind of field. Callables get the field's valid value.
HOSTILE: dict[str, list[Any]] = {
    "text": ["a" * 100_000],
    "number": [10**30, "1e400", "NaN", "Infinity", "-Infinity", -1, other_digits],
    "id": [10**30, "1e400", "NaN", -1, other_digits],
    "datetime": [
        "9999-12-31T00:00:00Z",
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        other_digits,
    ],
    "date": ["9999-12-31", "0001-01-01", other_digits],
    "time": ["25:00", "a" * 100_000, other_digits],
}
OUT_OF_RANGE = {
    "datetime": HOSTILE["datetime"][:4],
    "date": HOSTILE["date"][:2],
}


def _cases(kinds: dict[str, list[Any]]):
    for name, endpoint in ENDPOINTS.items():
        for field_name, kind in endpoint.fields.items():
            for index, value in enumerate(kinds.get(kind, [])):
                label = getattr(value, "__name__", str(value)[:24])
                yield pytest.param(
                    name, field_name, value, id=f"{name}-{field_name}-{index}-{label}"
                )


def snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every model of the package."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in apps.get_app_config("shop_bookings").get_models()
    }


@pytest.mark.parametrize("name", ENDPOINTS)
def test_the_valid_body_is_accepted(api, world, name):
    endpoint = ENDPOINTS[name]
    before = snapshot()
    response = endpoint.call(api, world, endpoint.body(world))
    assert response.status_code in (200, 201, 204), response.content[:500]
    # Every endpoint writes (rotation and revocation included), so an unchanged
    # database below means the hostile request was refused, not ignored.
    assert snapshot() != before


@pytest.mark.parametrize("name", ENDPOINTS)
def test_nested_json_is_400_too_deep(api, world, name):
    before = snapshot()
    response = ENDPOINTS[name].call(api, world, nested_json(1000), raw=True)
    assert response.status_code == 400, response.content[:500]
    assert [error["code"] for error in response.json()["errors"]] == ["too_deep"]
    assert snapshot() == before


@pytest.mark.parametrize(("name", "field_name", "value"), list(_cases(HOSTILE)))
def test_hostile_value_is_4xx_and_changes_nothing(api, world, name, field_name, value):
    endpoint = ENDPOINTS[name]
    body = dict(endpoint.body(world))
    body[field_name] = value(body[field_name]) if callable(value) else value
    before = snapshot()
    response = endpoint.call(api, world, json.loads(json.dumps(body)))
    assert 400 <= response.status_code < 500, response.content[:500]
    assert field_name in error_codes(response)
    assert snapshot() == before


@pytest.mark.parametrize(("name", "field_name", "value"), list(_cases(OUT_OF_RANGE)))
def test_far_dates_are_out_of_range(api, world, name, field_name, value):
    endpoint = ENDPOINTS[name]
    body = {**endpoint.body(world), field_name: value}
    response = endpoint.call(api, world, body)
    assert response.status_code == 400
    assert error_codes(response) == {field_name: ["out_of_range"]}


@pytest.mark.parametrize(
    "url",
    [
        "bookings/{pending}/cancel/",
        "services/{spare_service}/",
        "working-hours/{hours}/",
        "schedule-exceptions/{exception}/",
    ],
)
@pytest.mark.parametrize("spell", [other_digits, lambda pk: str(pk + 10**30)])
def test_object_ids_in_other_digits_or_too_large_are_404(api, world, url, spell):
    ids = {name: spell(getattr(world, name).pk) for name in ("pending", "spare_service", "hours")}
    ids["exception"] = spell(world.exception.pk)
    user = world.client if url.startswith("bookings") else world.specialist.user
    api.force_authenticate(user)
    before = snapshot()
    method = api.post if url.endswith("cancel/") else api.delete
    assert method(BASE + url.format(**ids), {}, format="json").status_code == 404
    assert snapshot() == before


def test_far_dates_in_queries_are_out_of_range(api, world):
    api.force_authenticate(world.specialist.user)
    slots = f"{BASE}specialists/{world.specialist.pk}/slots/"
    for params, name in [
        ({"from": "9999-12-30", "to": "9999-12-31"}, "from"),
        ({"from": "2030-01-01", "to": "9999-12-31T00:00:00Z"}, "to"),
        ({"from": "0001-01-01T00:00:00+14:00", "to": "2030-01-01"}, "from"),
    ]:
        response = api.get(slots, {"service": world.service.pk, **params})
        assert response.status_code == 400 and error_codes(response) == {name: ["out_of_range"]}
    long_zone = {"from": "2030-01-01", "to": "2030-01-02", "tz": "a" * 100_000}
    response = api.get(slots, {"service": world.service.pk, **long_zone})
    assert response.status_code == 400 and "max_length" in error_codes(response)["tz"]
    for url, params, name in [
        ("bookings/", {"start_after": "9999-12-31T23:59:59-14:00"}, "start_after"),
        ("bookings/", {"start_before": "0001-01-01T00:00:00+14:00"}, "start_before"),
        ("schedule-exceptions/", {"date__gte": "9999-12-31"}, "date__gte"),
        ("schedule-exceptions/", {"date__lte": "0001-01-01"}, "date__lte"),
    ]:
        response = api.get(BASE + url, params)
        assert response.status_code == 400, (url, params, response.content[:300])
        assert error_codes(response) == {name: ["out_of_range"]}


def test_a_booking_in_year_9999_is_a_400_not_a_500(api_as, client_user, service):
    response = api_as(client_user).post(
        f"{BASE}bookings/",
        {"service": service.pk, "start": "9999-12-31T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert error_codes(response) == {"start": ["out_of_range"]}
    assert not Booking.objects.exists()


def test_bookings_within_bounds_but_past_the_horizon_keep_their_code(api_as, client_user, service):
    start = datetime(8999, 1, 1, 10, tzinfo=dt_timezone.utc)
    response = api_as(client_user).post(
        f"{BASE}bookings/", {"service": service.pk, "start": start.isoformat()}, format="json"
    )
    assert response.status_code == 400 and error_codes(response) == {"start": ["horizon"]}


def test_times_in_other_digits_are_refused_with_a_code(api_as):
    specialist = make_specialist(hours=None)
    body = {"weekday": 1, "start": other_digits("09:00"), "end": time(10).isoformat()}
    response = api_as(specialist.user).post(f"{BASE}working-hours/", body, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"start": ["non_ascii_digits"]}
