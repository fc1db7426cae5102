"""PostgreSQL only: the exclusion constraint and concurrent booking of one slot."""

import pytest
from django.db import IntegrityError, connection, transaction

from shop_bookings import exceptions, services
from shop_bookings.db import EXCLUSION_CONSTRAINT_NAME
from shop_bookings.models import Booking, BookingHold
from shop_bookings.services import booking as booking_service
from shop_core.testing import run_at_once

from .factories import at, future_day, make_service, make_specialist, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


def raw_booking(service, client, start, end, status="confirmed"):
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


def test_exclusion_constraint_exists_and_rejects_overlaps():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Booking._meta.db_table)
    assert EXCLUSION_CONSTRAINT_NAME in constraints
    service = make_service(make_specialist())
    client = make_user()
    day = future_day()
    raw_booking(service, client, at(day, 10), at(day, 11))
    raw_booking(service, client, at(day, 11), at(day, 12))  # touching is fine: [) ranges
    raw_booking(service, client, at(day, 10, 30), at(day, 11), status="canceled")
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_booking(service, client, at(day, 10, 30), at(day, 11, 30), status="pending")
    other = make_service(make_specialist())
    raw_booking(other, client, at(day, 10), at(day, 11))  # another specialist


def _race(n, target):
    """``target(i)`` in ``n`` threads at once: (results, exceptions raised)."""
    outcomes = run_at_once([lambda i=i: target(i) for i in range(n)])
    errors = [o for o in outcomes if isinstance(o, Exception)]
    return [o for o in outcomes if not isinstance(o, Exception)], errors


def test_twenty_clients_race_for_one_slot():
    service = make_service(make_specialist())
    clients = [make_user() for _ in range(20)]
    start = at(future_day(), 10)

    def attempt(i):
        return services.create_booking(client=clients[i], service=service, start=start)

    results, errors = _race(20, attempt)
    assert len(results) == 1
    assert len(errors) == 19
    assert all(isinstance(e, exceptions.SlotUnavailable) and e.code == "taken" for e in errors)
    assert Booking.objects.filter(specialist=service.specialist).count() == 1


def test_concurrent_retries_with_one_key_make_one_booking():
    service = make_service(make_specialist())
    client = make_user()
    start = at(future_day(), 10)

    def attempt(i):
        booking, _created = services.create_booking(
            client=client, service=service, start=start, idempotency_key="retry-1"
        )
        return booking.pk

    results, errors = _race(10, attempt)
    assert errors == []
    assert len(set(results)) == 1
    assert Booking.objects.count() == 1


def test_exclusion_constraint_backs_the_locked_check(monkeypatch):
    """Were the check skipped, the database would still refuse, and we answer "taken"."""
    service = make_service(make_specialist())
    start = at(future_day(), 10)
    services.create_booking(client=make_user(), service=service, start=start)
    monkeypatch.setattr(booking_service, "check_slot", lambda **kwargs: None)
    with pytest.raises(exceptions.SlotUnavailable) as info:
        services.create_booking(client=make_user(), service=service, start=start)
    assert info.value.code == "taken"
    assert Booking.objects.count() == 1


def test_group_sessions_share_their_time_in_the_constraint():
    import uuid

    group = make_service(make_specialist(), capacity=5)
    day = future_day()
    session = uuid.uuid4()
    for _ in range(2):  # two seats of one session overlap
        Booking.objects.create(**_row(group, at(day, 10), at(day, 11)), session=session)
    with pytest.raises(IntegrityError), transaction.atomic():  # another session may not
        Booking.objects.create(**_row(group, at(day, 10, 30), at(day, 11, 30)))


def _row(service, start, end):
    return dict(
        service=service,
        specialist=service.specialist,
        client=make_user(),
        start=start,
        end=end,
        blocked_start=start,
        blocked_end=end,
        status="confirmed",
        service_name=service.name,
        price=service.price,
    )


def test_thirty_clients_race_for_ten_seats():
    group = make_service(make_specialist(), capacity=10)
    clients = [make_user() for _ in range(30)]
    start = at(future_day(), 10)

    def attempt(i):
        return services.create_booking(client=clients[i], service=group, start=start)

    results, errors = _race(30, attempt)
    assert len(results) == 10, errors
    assert len(errors) == 20
    assert all(isinstance(e, exceptions.SlotUnavailable) and e.code == "full" for e in errors)
    seats = Booking.objects.filter(service=group, start=start)
    assert seats.count() == 10 and len(set(seats.values_list("session", flat=True))) == 1


def test_ten_clients_race_to_hold_one_slot():
    service = make_service(make_specialist())
    clients = [make_user() for _ in range(10)]
    start = at(future_day(), 10)

    def attempt(i):
        if i % 2:  # half of them book at once, half hold
            return services.create_booking(client=clients[i], service=service, start=start)
        return services.hold_slot(client=clients[i], service=service, start=start)

    results, errors = _race(10, attempt)
    assert len(results) == 1, errors
    assert all(isinstance(e, exceptions.SlotUnavailable) and e.code == "taken" for e in errors)
    assert BookingHold.objects.count() + Booking.objects.count() == 1


def test_one_client_racing_past_the_daily_limit():
    service = make_service(make_specialist(), max_per_client_per_day=2)
    client = make_user()
    day = future_day()

    def attempt(i):
        return services.create_booking(client=client, service=service, start=at(day, 9 + i))

    results, errors = _race(6, attempt)
    assert len(results) == 2, errors
    assert all(isinstance(e, exceptions.LimitReached) and e.code == "day_limit" for e in errors)


def test_a_specialist_leaving_while_clients_book_leaves_no_booking_ahead():
    """The erasure closes the profile under the row lock every booking takes: each
    booking either came first (and is canceled) or is refused; none stays active."""
    specialist = make_specialist()
    service = make_service(specialist)
    day = future_day()
    clients = [make_user() for _ in range(8)]

    def book(i):
        return services.create_booking(client=clients[i], service=service, start=at(day, 9 + i))

    outcomes = run_at_once(
        [lambda: services.erase_personal_data(user=specialist.user)]
        + [lambda i=i: book(i) for i in range(8)]
    )
    canceled, *booked = outcomes
    refused = [o for o in booked if isinstance(o, exceptions.ServiceUnavailable)]
    assert len(refused) + sum(isinstance(o, tuple) for o in booked) == 8
    assert canceled == 8 - len(refused)
    assert not Booking.objects.filter(specialist=specialist, status__in=["pending", "confirmed"])
