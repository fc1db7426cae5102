"""The OpenAPI schema: valid, no warnings, every error code the package answers with
documented, and the error answers tests see match it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

from shop_bookings import exceptions, slots
from shop_bookings.models import Booking
from shop_core.testing import assert_matches_schema, openapi

from .factories import at, future_day, make_service, make_specialist, make_user

pytestmark = pytest.mark.django_db
BASE = "/api/v1/bookings"

# Every code a service or serializer of the package raises (README, "Errors").
PACKAGE_CODES = {
    *slots.REFUSALS,
    *(code for cls in vars(exceptions).values() if hasattr(cls, "codes") for code in cls.codes),
    "invalid_time_zone",
    "end_before_start",
    "hours_required",
    "day_off_hours",
    "empty_range",
    "range_too_long",
    "image_too_large",
    "image_pixels",
    "image_format",
    "image_invalid",
}


@pytest.fixture(scope="module")
def document(django_db_blocker):
    with django_db_blocker.unblock():
        return openapi()


def test_schema_is_valid_without_warnings(tmp_path):
    GENERATOR_STATS.reset()
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert "/api/v1/bookings/specialists/{id}/slots/" in (tmp_path / "schema.yml").read_text()


def _codes_of(document, node) -> set[str]:
    """Every value of every ``code`` enum reachable from ``node`` (``$ref``s followed)."""
    schemas = document["components"]["schemas"]
    found: set[str] = set()
    todo, seen = [node], set()
    while todo:
        item = todo.pop()
        if isinstance(item, list):
            todo.extend(item)
        elif isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref not in seen:
                seen.add(ref)
                todo.append(schemas[ref.rsplit("/", 1)[-1]])
            properties = item.get("properties")
            if isinstance(properties, dict) and isinstance(properties.get("code"), dict):
                found.update(properties["code"].get("enum", []))
            todo.extend(item.values())
    return found


def test_every_code_of_the_package_is_in_the_schema(document):
    missing = PACKAGE_CODES - _codes_of(document, document["paths"])
    assert not missing, sorted(missing)


def test_the_refusals_of_a_start_are_documented_on_booking(document):
    answers = document["paths"][f"{BASE}/bookings/"]["post"]["responses"]
    assert set(slots.REFUSALS) <= _codes_of(document, answers["400"])
    assert "idempotency_key_reused" in _codes_of(document, answers["422"])


def _check(document, response, path: str, method: str = "post") -> None:
    assert_matches_schema(document, BASE + path, method, response.status_code, response.json())


def test_error_answers_match_the_schema(document, api_as):
    specialist = make_specialist()
    service = make_service(specialist, requires_confirmation=True)
    client = make_user()
    api = api_as(client)
    off_grid = {"service": service.pk, "start": at(future_day(), 10, 5).isoformat()}
    response = api.post(f"{BASE}/bookings/", off_grid, format="json")
    assert response.status_code == 400
    _check(document, response, "/bookings/")

    good = {"service": service.pk, "start": at(future_day(), 10).isoformat()}
    first = api.post(f"{BASE}/bookings/", good, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert first.status_code == 201
    other = {**good, "comment": "another request"}
    reused = api.post(f"{BASE}/bookings/", other, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert reused.status_code == 422
    _check(document, reused, "/bookings/")

    booking = Booking.objects.get()
    forbidden = api.post(f"{BASE}/bookings/{booking.pk}/confirm/", {}, format="json")
    assert forbidden.status_code == 403
    _check(document, forbidden, "/bookings/{id}/confirm/")
    early = api_as(specialist.user).post(f"{BASE}/bookings/{booking.pk}/complete/", {})
    assert early.status_code == 400
    _check(document, early, "/bookings/{id}/complete/")


def test_query_and_profile_errors_match_the_schema(document, api_as):
    specialist = make_specialist()
    service = make_service(specialist)
    api = api_as(make_user(specialist=True))
    query = {"service": service.pk, "from": "2030-01-05", "to": "2030-01-01", "tz": "Mars/Base"}
    response = api.get(f"{BASE}/specialists/{specialist.pk}/slots/", query)
    assert response.status_code == 400
    _check(document, response, "/specialists/{id}/slots/", "get")
    missing = api.get(f"{BASE}/specialists/me/")
    assert missing.status_code == 404
    _check(document, missing, "/specialists/me/", "get")
    page = api.get(f"{BASE}/specialists/", {"page": "9"})
    assert page.status_code == 400
    _check(document, page, "/specialists/", "get")


def test_filter_parse_and_search_errors_match_the_schema(document, api_as):
    api = api_as(make_user(specialist=True))
    far = api.get(f"{BASE}/bookings/", {"start_after": "9999-12-31T23:59:59-14:00"})
    assert far.status_code == 400
    _check(document, far, "/bookings/", "get")
    other_digits = api.get(f"{BASE}/schedule-exceptions/", {"date__gte": "٢٠٣٠-٠١-٠١"})
    assert other_digits.status_code == 400
    _check(document, other_digits, "/schedule-exceptions/", "get")
    nul = api.get(f"{BASE}/specialists/", {"search": "a\x00b"})
    assert nul.status_code == 400
    _check(document, nul, "/specialists/", "get")
    for body in ("\x00", "[" * 100 + "]" * 100):
        broken = api.patch(f"{BASE}/specialists/me/", body, content_type="application/json")
        assert broken.status_code == 400
        _check(document, broken, "/specialists/me/", "patch")
