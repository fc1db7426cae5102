"""HTTP wiring: permissions, second-user 404s, status codes, filters, query counts."""

from datetime import time, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

import pytest
from django.urls import reverse

from shop_bookings.models import Booking, ScheduleException, Service, WorkingHours

from .factories import at, error_codes, future_day, make_service, make_specialist, make_user

pytestmark = pytest.mark.django_db

BASE = "/api/v1/bookings/"


def post_booking(api, service, start, key=None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(
        f"{BASE}bookings/",
        {"service": service.pk, "start": start.isoformat(), **extra},
        format="json",
        **headers,
    )


# --- catalogue ------------------------------------------------------------------------


def test_catalogue_filters(api):
    moscow = make_specialist(city="Moscow", display_name="Anna")
    make_service(moscow, name="Haircut", price=Decimal("20"))
    make_service(moscow, name="Colouring", price=Decimal("90"))
    kazan = make_specialist(city="Kazan", display_name="Boris")
    make_service(kazan, name="Massage", price=Decimal("50"))
    hidden = make_specialist(city="Moscow", display_name="Hidden", is_active=False)
    make_service(hidden, name="Haircut", price=Decimal("20"))

    def names(**params):
        response = api.get(f"{BASE}specialists/", params)
        assert response.status_code == 200, response.data
        return [row["display_name"] for row in response.data["results"]]

    assert names() == ["Anna", "Boris"]
    assert names(city="moscow") == ["Anna"]
    assert names(service="massage") == ["Boris"]
    assert names(min_price="40") == ["Anna", "Boris"]
    assert names(max_price="40") == ["Anna"]
    # One service must satisfy all conditions: Anna's haircut is cheap but not >= 40.
    assert names(service="haircut", min_price="40") == []
    row = api.get(f"{BASE}specialists/", {"city": "Moscow"}).data["results"][0]
    assert row["min_price"] == "20.00" and len(row["services"]) == 2
    assert api.get(f"{BASE}specialists/{hidden.pk}/").status_code == 404
    bad_price = api.get(f"{BASE}specialists/", {"min_price": "abc"})
    assert bad_price.status_code == 400 and error_codes(bad_price) == {"min_price": ["invalid"]}


def test_catalogue_query_count_is_constant(api, django_assert_max_num_queries):
    for i in range(12):
        make_service(make_specialist(display_name=f"S{i:02}"))
    with django_assert_max_num_queries(3):
        response = api.get(f"{BASE}specialists/", {"page_size": 12})
    assert len(response.data["results"]) == 12


# --- services -------------------------------------------------------------------------


def test_services_crud_by_their_specialist_only(api_as, specialist, service):
    rival = make_specialist()
    api = api_as(rival.user)
    payload = {"name": "Stolen", "price": "1.00", "duration_minutes": 30}
    assert api.patch(f"{BASE}services/{service.pk}/", payload, format="json").status_code == 404
    assert api.delete(f"{BASE}services/{service.pk}/").status_code == 404
    assert api.get(f"{BASE}services/{service.pk}/").status_code == 200  # reading is public

    api = api_as(specialist.user)
    created = api.post(f"{BASE}services/", payload, format="json")
    assert created.status_code == 201 and created.data["specialist"] == specialist.pk
    changed = api.patch(f"{BASE}services/{service.pk}/", {"price": "45.50"}, format="json")
    assert changed.status_code == 200 and changed.data["price"] == "45.50"
    bad = api.post(
        f"{BASE}services/", {"name": "x", "price": "-1", "duration_minutes": 0}, format="json"
    )
    assert bad.status_code == 400
    assert error_codes(bad) == {"price": ["min_value"], "duration_minutes": ["min_value"]}
    assert bad.json()["type"] == "validation_error"
    assert api.delete(f"{BASE}services/{created.data['id']}/").status_code == 204


def test_clients_cannot_write_services(api_as, client_user, service):
    response = api_as(client_user).post(
        f"{BASE}services/", {"name": "x", "price": "1", "duration_minutes": 30}, format="json"
    )
    assert response.status_code == 403
    assert error_codes(response) == {None: ["permission_denied"]}


def test_inactive_services_are_hidden_except_from_their_owner(api, api_as, specialist):
    make_service(specialist, name="Old", is_active=False)
    assert api.get(f"{BASE}services/").data["count"] == 0
    assert api_as(specialist.user).get(f"{BASE}services/").data["count"] == 1


def test_service_filters(api, specialist):
    make_service(specialist, name="Short cut", price=Decimal("10"), duration_minutes=15)
    make_service(specialist, name="Long cut", price=Decimal("80"), duration_minutes=120)
    other = make_specialist()
    make_service(other, name="Massage", price=Decimal("50"), duration_minutes=60)

    def names(**params):
        return sorted(r["name"] for r in api.get(f"{BASE}services/", params).data["results"])

    assert names(name="CUT") == ["Long cut", "Short cut"]
    assert names(min_price="20", max_price="60") == ["Massage"]
    assert names(min_duration="60") == ["Long cut", "Massage"]
    assert names(max_duration="30") == ["Short cut"]
    assert names(specialist=other.pk) == ["Massage"]


def test_deleting_a_booked_service_is_a_400(api_as, client_user, specialist, service):
    post_booking(api_as(client_user), service, at(future_day(), 10))
    response = api_as(specialist.user).delete(f"{BASE}services/{service.pk}/")
    assert response.status_code == 400
    assert error_codes(response) == {"non_field_errors": ["service_booked"]}
    assert Service.objects.filter(pk=service.pk).exists()


def test_service_list_query_count(api, django_assert_max_num_queries):
    specialist = make_specialist()
    for _ in range(15):
        make_service(specialist)
    with django_assert_max_num_queries(2):
        assert len(api.get(f"{BASE}services/").data["results"]) == 15


# --- schedules ------------------------------------------------------------------------


def test_working_hours_and_exceptions_are_private(api_as, specialist):
    rival = make_specialist()
    hours = specialist.working_hours.first()
    exception = ScheduleException.objects.create(specialist=specialist, date=future_day())
    api = api_as(rival.user)
    for url in (f"{BASE}working-hours/{hours.pk}/", f"{BASE}schedule-exceptions/{exception.pk}/"):
        assert api.get(url).status_code == 404
        assert api.patch(url, {"note": "x"}, format="json").status_code == 404
        assert api.delete(url).status_code == 404
    assert api.get(f"{BASE}working-hours/").data["count"] == 7  # the rival's own


def test_specialist_manages_hours(api_as):
    specialist = make_specialist(hours=None)
    api = api_as(specialist.user)
    ok = api.post(
        f"{BASE}working-hours/", {"weekday": 0, "start": "09:00", "end": "13:00"}, format="json"
    )
    assert ok.status_code == 201
    night = api.post(
        f"{BASE}working-hours/", {"weekday": 0, "start": "20:00", "end": "00:00"}, format="json"
    )
    assert night.status_code == 201  # 00:00 ends at midnight
    bad = api.post(
        f"{BASE}working-hours/", {"weekday": 0, "start": "13:00", "end": "09:00"}, format="json"
    )
    assert bad.status_code == 400 and error_codes(bad) == {"end": ["end_before_start"]}
    assert WorkingHours.objects.filter(specialist=specialist).count() == 2
    exc = api.post(
        f"{BASE}schedule-exceptions/",
        {"date": "2030-01-01", "is_day_off": False, "start": "10:00", "end": "12:00"},
        format="json",
    )
    assert exc.status_code == 201
    bad = api.post(
        f"{BASE}schedule-exceptions/", {"date": "2030-01-02", "is_day_off": False}, format="json"
    )
    assert bad.status_code == 400 and error_codes(bad) == {"start": ["hours_required"]}
    day_off = {"date": "2030-01-02", "is_day_off": True, "start": "10:00", "end": "12:00"}
    bad = api.post(f"{BASE}schedule-exceptions/", day_off, format="json")
    assert bad.status_code == 400 and error_codes(bad) == {"is_day_off": ["day_off_hours"]}


def test_schedule_needs_a_profile_and_the_role(api_as, client_user):
    assert api_as(client_user).get(f"{BASE}working-hours/").status_code == 403
    no_profile = make_user(specialist=True)
    response = api_as(no_profile).post(
        f"{BASE}working-hours/", {"weekday": 0, "start": "09:00", "end": "13:00"}, format="json"
    )
    assert response.status_code == 400
    assert error_codes(response) == {"non_field_errors": ["profile_required"]}


# --- slots ----------------------------------------------------------------------------


def test_slots_endpoint(api, specialist, service):
    day = future_day()
    url = f"{BASE}specialists/{specialist.pk}/slots/"
    response = api.get(url, {"service": service.pk, "from": day, "to": day})
    assert response.status_code == 200, response.data
    slots = response.data["slots"]
    assert slots[0]["start"] == at(day, 9).isoformat().replace("+00:00", "Z")
    assert len(slots) == 33  # 09:00 .. 17:00 every 15 minutes
    ny = api.get(url, {"service": service.pk, "from": day, "to": day, "tz": "America/New_York"})
    assert ny.status_code == 200
    assert ny.data["slots"][0]["local_start"].endswith(("-04:00", "-05:00"))


@pytest.mark.parametrize(
    ("params", "field", "code"),
    [
        ({"service": None, "from": "2030-01-01", "to": "2030-01-02"}, "service", "required"),
        ({"service": "x", "from": "2030-01-01", "to": "2030-01-02"}, "service", "incorrect_type"),
        ({"to": "2030-01-02"}, "from", "required"),
        ({"from": "nope", "to": "2030-01-02"}, "from", "invalid"),
        ({"from": "2030-02-30", "to": "2030-03-02"}, "from", "invalid"),
        ({"from": "2030-01-05", "to": "2030-01-01"}, "to", "empty_range"),
        ({"from": "2030-01-01", "to": "2030-03-01"}, "to", "range_too_long"),
        ({"from": "2030-01-01", "to": "2030-01-02", "tz": "Mars/Base"}, "tz", "invalid_time_zone"),
        ({"from": "٢٠٣٠-٠١-٠١", "to": "2030-01-02"}, "from", "non_ascii_digits"),
    ],
)
def test_slots_bad_input_is_400(api, specialist, service, params, field, code):
    params = {k: v for k, v in {"service": service.pk, **params}.items() if v is not None}
    response = api.get(f"{BASE}specialists/{specialist.pk}/slots/", params)
    assert response.status_code == 400 and error_codes(response) == {field: [code]}


def test_slots_of_another_specialists_or_an_inactive_service_are_400(api, specialist):
    other_service = make_service(make_specialist())
    inactive = make_service(specialist, is_active=False)
    url = f"{BASE}specialists/{specialist.pk}/slots/"
    window = {"from": "2030-01-01", "to": "2030-01-01"}
    response = api.get(url, {"service": other_service.pk, **window})
    assert response.status_code == 400
    assert error_codes(response) == {"service": ["does_not_exist"]}
    response = api.get(url, {"service": inactive.pk, **window})
    assert error_codes(response) == {"service": ["inactive_service"]}


def test_slots_read_dates_in_the_requested_zone(api, specialist, service):
    day = future_day()
    url = f"{BASE}specialists/{specialist.pk}/slots/"
    tokyo = api.get(url, {"service": service.pk, "from": day, "to": day, "tz": "Asia/Tokyo"})
    assert tokyo.status_code == 200 and tokyo.data["time_zone"] == "Asia/Tokyo"
    # The Tokyo day runs from 15:00 UTC the day before to 15:00 UTC.
    assert tokyo.data["slots"][0]["start"].endswith("T15:00:00Z")
    assert tokyo.data["slots"][-1]["start"] == f"{day}T14:45:00Z"
    assert tokyo.data["slots"][-1]["local_start"] == f"{day}T23:45:00+09:00"
    instants = {"from": f"{day}T12:00:00Z", "to": f"{day}T13:00:00Z"}
    response = api.get(url, {"service": service.pk, **instants})
    assert [slot["start"][-9:] for slot in response.data["slots"]] == [
        "12:00:00Z",
        "12:15:00Z",
        "12:30:00Z",
        "12:45:00Z",
    ]


# --- bookings -------------------------------------------------------------------------


def test_booking_listed_slot_and_idempotent_retry(api_as, client_user, specialist, service):
    api = api_as(client_user)
    day = future_day()
    slot = api.get(
        f"{BASE}specialists/{specialist.pk}/slots/", {"service": service.pk, "from": day, "to": day}
    ).data["slots"][4]
    first = api.post(
        f"{BASE}bookings/",
        {"service": service.pk, "start": slot["start"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc",
    )
    assert first.status_code == 201, first.data
    assert first.data["status"] == "confirmed" and first.data["role"] == "client"
    retry = api.post(
        f"{BASE}bookings/",
        {"service": service.pk, "start": slot["start"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc",
    )
    assert retry.status_code == 200 and retry.data == first.data
    other = post_booking(api, service, at(day, 15), key="abc")
    assert other.status_code == 422
    assert error_codes(other) == {None: ["idempotency_key_reused"]}
    assert Booking.objects.count() == 1
    # Without a key a second request for the same slot is taken.
    taken = api.post(
        f"{BASE}bookings/", {"service": service.pk, "start": slot["start"]}, format="json"
    )
    assert taken.status_code == 400 and error_codes(taken) == {"start": ["taken"]}
    assert taken.json()["type"] == "validation_error"


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (lambda: at(future_day(-1), 10), "past"),
        (lambda: at(future_day(90), 10), "horizon"),
        (lambda: at(future_day(), 20), "outside_hours"),
        (lambda: at(future_day(), 10, 5), "off_grid"),
        (lambda: at(future_day(), 17, 30), "ends_after_hours"),
    ],
)
def test_booking_refusals_are_400_with_codes(api_as, client_user, service, when, code):
    response = post_booking(api_as(client_user), service, when())
    assert response.status_code == 400 and error_codes(response) == {"start": [code]}


def test_a_refusal_answers_in_the_shared_shape(api_as, client_user, service):
    response = post_booking(api_as(client_user), service, at(future_day(), 10, 5))
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {
                "code": "off_grid",
                "detail": "Bookings start on the specialist's time grid; pick one of the free "
                "slots.",
                "attr": "start",
            }
        ],
    }


def test_a_day_off_is_told_apart(api_as, client_user, specialist, service):
    day = future_day(4)
    ScheduleException.objects.create(specialist=specialist, date=day, is_day_off=True)
    response = post_booking(api_as(client_user), service, at(day, 10))
    assert error_codes(response) == {"start": ["day_off"]}


def test_booking_inside_minimum_notice_is_400(api_as, client_user, settings):
    specialist = make_specialist(hours=(time(0), time(0)))  # open around the clock
    service = make_service(specialist, duration_minutes=15)
    settings.SHOP_BOOKINGS = {"MIN_NOTICE_MINUTES": 24 * 60}
    from django.utils import timezone

    soon = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=3)
    soon -= timedelta(minutes=soon.minute % 15)
    response = post_booking(api_as(client_user), service, soon)
    assert response.status_code == 400 and error_codes(response) == {"start": ["min_notice"]}


def test_booking_inactive_service_is_400(api_as, client_user, service):
    service.is_active = False
    service.save()
    response = post_booking(api_as(client_user), service, at(future_day(), 10))
    assert response.status_code == 400
    assert error_codes(response) == {"service": ["inactive_service"]}


def test_booking_bad_payload_is_400(api_as, client_user, service):
    api = api_as(client_user)
    response = api.post(f"{BASE}bookings/", {"service": 999999, "start": "soon"}, format="json")
    assert response.status_code == 400
    assert error_codes(response) == {"service": ["does_not_exist"], "start": ["invalid"]}


def test_anonymous_cannot_book(api, service):
    response = post_booking(api, service, at(future_day(), 10))
    assert response.status_code in (401, 403)
    assert error_codes(response) == {None: ["not_authenticated"]}


def test_bookings_are_visible_to_their_parties_only(
    api_as, client_user, other_user, specialist, service
):
    booking_id = post_booking(api_as(client_user), service, at(future_day(), 10)).data["id"]
    url = f"{BASE}bookings/{booking_id}/"
    api = api_as(other_user)
    assert api.get(url).status_code == 404
    for action in ("cancel", "confirm", "complete", "no-show", "reschedule"):
        response = api.post(f"{url}{action}/", {}, format="json")
        assert response.status_code == 404 and error_codes(response) == {None: ["not_found"]}
    assert api.get(f"{BASE}bookings/").data["count"] == 0
    rival = make_specialist()
    assert api_as(rival.user).get(url).status_code == 404

    as_specialist = api_as(specialist.user).get(url)
    assert as_specialist.status_code == 200 and as_specialist.data["role"] == "specialist"
    assert as_specialist.data["client_name"] == str(client_user)  # the user model's own str()
    assert [h["to_status"] for h in as_specialist.data["history"]] == ["confirmed"]
    listing = api_as(specialist.user).get(f"{BASE}bookings/", {"role": "specialist"})
    assert listing.data["count"] == 1
    assert api_as(specialist.user).get(f"{BASE}bookings/", {"role": "client"}).data["count"] == 0


def test_booking_actions_over_http(api_as, client_user, specialist):
    service = make_service(specialist, requires_confirmation=True)
    booking_id = post_booking(api_as(client_user), service, at(future_day(5), 10)).data["id"]
    url = f"{BASE}bookings/{booking_id}/"
    forbidden = api_as(client_user).post(f"{url}confirm/")
    assert forbidden.status_code == 403 and error_codes(forbidden) == {None: ["wrong_role"]}
    confirmed = api_as(specialist.user).post(
        f"{url}confirm/", {"comment": "see you"}, format="json"
    )
    assert confirmed.status_code == 200 and confirmed.data["status"] == "confirmed"
    early = api_as(specialist.user).post(f"{url}complete/")
    assert early.status_code == 400 and error_codes(early) == {"status": ["not_started"]}
    moved = api_as(client_user).post(
        f"{url}reschedule/", {"start": at(future_day(5), 12).isoformat()}, format="json"
    )
    assert moved.status_code == 200 and moved.data["status"] == "pending"
    bad_move = api_as(client_user).post(f"{url}reschedule/", {"start": "x"}, format="json")
    assert bad_move.status_code == 400 and error_codes(bad_move) == {"start": ["invalid"]}
    by_specialist = api_as(specialist.user).post(
        f"{url}reschedule/", {"start": at(future_day(5), 14).isoformat()}, format="json"
    )
    assert by_specialist.status_code == 200 and by_specialist.data["status"] == "pending"
    assert by_specialist.data["start"] == at(future_day(5), 14).isoformat().replace("+00:00", "Z")
    canceled = api_as(client_user).post(f"{url}cancel/")
    assert canceled.status_code == 200 and canceled.data["status"] == "canceled"
    again = api_as(client_user).post(f"{url}cancel/")
    assert again.status_code == 400 and error_codes(again) == {"status": ["invalid_transition"]}


def test_booking_list_query_count(api_as, client_user, specialist, django_assert_max_num_queries):
    services_ = [make_service(specialist) for _ in range(3)]
    for i in range(12):
        Booking.objects.create(
            service=services_[i % 3],
            specialist=specialist,
            client=client_user,
            start=at(future_day(i + 2), 10),
            end=at(future_day(i + 2), 11),
            blocked_start=at(future_day(i + 2), 10),
            blocked_end=at(future_day(i + 2), 11),
            service_name="x",
            price=1,
        )
    api = api_as(client_user)
    with django_assert_max_num_queries(3):
        response = api.get(f"{BASE}bookings/")
    assert response.data["count"] == 12 and len(response.data["results"]) == 12


def test_reverse_names():
    assert reverse("shop_bookings:booking-list") == f"{BASE}bookings/"
    assert reverse("shop_bookings:feed", args=["t"]) == f"{BASE}feeds/t.ics"


@pytest.mark.parametrize("current", ["UTC", "Europe/Berlin"])
@pytest.mark.parametrize("zone", ["UTC", "America/New_York"])
def test_slot_list_is_what_the_serializer_gives(current, zone):
    from datetime import datetime
    from datetime import timezone as dt_timezone
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from shop_bookings.serializers import SlotListSerializer

    tz = ZoneInfo(zone)
    base = datetime(2030, 3, 9, 23, tzinfo=dt_timezone.utc)  # the night of a US DST change
    starts = [base + timedelta(minutes=15 * k) for k in range(40)]
    starts += [s.astimezone(tz) for s in starts[-5:]] + [starts[-1] + timedelta(seconds=1.5)]
    duration = timedelta(minutes=30)
    with timezone.override(ZoneInfo(current)):
        expected = SlotListSerializer(
            {
                "specialist": 1,
                "service": 2,
                "time_zone": zone,
                "slots": [
                    {"start": s, "end": s + duration, "local_start": s.astimezone(tz).isoformat()}
                    for s in starts
                ],
            }
        ).data
        got = SlotListSerializer.represent(
            specialist=1, service=2, time_zone=zone, tz=tz, starts=starts, duration=duration
        )
    assert got == expected
    assert [dict(slot) for slot in expected["slots"]] == got["slots"]


def test_slots_query_count(api, specialist, service, django_assert_max_num_queries):
    day = future_day()
    with django_assert_max_num_queries(5):
        response = api.get(
            f"{BASE}specialists/{specialist.pk}/slots/",
            {"service": service.pk, "from": day, "to": day},
        )
    assert response.status_code == 200 and response.data["slots"]


def test_reused_idempotency_key_is_422_in_the_shared_shape(api_as, client_user, service):
    api = api_as(client_user)
    day = future_day()
    first = post_booking(api, service, at(day, 10), key="k-1", comment="window seat")
    assert first.status_code == 201
    # The same request (the instant written with another offset) replays the booking.
    same = at(day, 10).astimezone(dt_timezone(timedelta(hours=3)))
    replay = post_booking(api, service, same, key="k-1", comment="window seat")
    assert replay.status_code == 200 and replay.data["id"] == first.data["id"]
    for start, comment in [(at(day, 12), "window seat"), (at(day, 10), "aisle")]:
        response = post_booking(api, service, start, key="k-1", comment=comment)
        assert response.status_code == 422
        assert response.json()["type"] == "client_error"
        assert error_codes(response) == {None: ["idempotency_key_reused"]}
    assert Booking.objects.count() == 1


@pytest.mark.parametrize("key", ["k" * 256, "ключ"])
def test_invalid_idempotency_key_is_400(api_as, client_user, service, key):
    response = api_as(client_user).post(
        f"{BASE}bookings/",
        {"service": service.pk, "start": at(future_day(), 10).isoformat()},
        format="json",
        headers={"Idempotency-Key": key},
    )
    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]] == ["invalid_idempotency_key"]
    assert not Booking.objects.exists()
