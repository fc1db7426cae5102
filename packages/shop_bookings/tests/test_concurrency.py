"""Read-then-write races with real threads on PostgreSQL (README: "Concurrency guarantees").

SQLite serialises writers, so these prove nothing there and are skipped:
``DATABASE_URL=postgres://... pytest -m postgres``.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from shop_bookings import exceptions, serializers, services, tasks
from shop_bookings.db import booking_exclusion_constraint
from shop_bookings.models import ACTIVE_STATUSES, Booking, BookingNotification, Service, Specialist
from shop_bookings.services.reminders import plan_reminder
from shop_core.testing import run_at_once

from . import hooks
from .factories import at, future_day, make_service, make_specialist, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
BASE = "/api/v1/bookings/"


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


@pytest.fixture(params=["constraint and lock", "lock alone"])
def guard(request):
    """Both guards, then the row lock alone (what other databases rely on)."""
    if request.param == "constraint and lock":
        yield request.param
        return
    with connection.schema_editor() as editor:
        editor.remove_constraint(Booking, booking_exclusion_constraint())
    try:
        yield request.param
    finally:
        Booking.objects.all().delete()
        with connection.schema_editor() as editor:
            editor.add_constraint(Booking, booking_exclusion_constraint())


def test_concurrent_reschedules_into_one_slot_one_wins(guard):
    service = make_service(make_specialist())
    day = future_day(4)
    clients = [make_user() for _ in range(6)]
    bookings = [
        services.create_booking(client=client, service=service, start=at(day, 9 + i))[0]
        for i, client in enumerate(clients)
    ]
    target = at(day, 16)

    def move(booking, client):
        return lambda: services.reschedule_booking(booking=booking, start=target, by=client)

    results = run_at_once([move(b, c) for b, c in zip(bookings, clients, strict=True)])
    moved = [r for r in results if isinstance(r, Booking)]
    refused = [r for r in results if isinstance(r, exceptions.SlotUnavailable)]
    assert len(moved) == 1 and len(refused) == 5, results
    assert {r.code for r in refused} == {"taken"}
    at_target = Booking.objects.filter(start=target, status__in=ACTIVE_STATUSES)
    assert at_target.count() == 1


def test_concurrent_reminder_runs_send_each_reminder_once():
    service = make_service(make_specialist())
    now = timezone.now().replace(microsecond=0)
    for hours in range(3, 8):
        start = now + timedelta(hours=hours)
        booking = Booking.objects.create(
            service=service,
            specialist=service.specialist,
            client=make_user(),
            start=start,
            end=start + timedelta(minutes=30),
            blocked_start=start,
            blocked_end=start + timedelta(minutes=30),
            status="confirmed",
            service_name=service.name,
            price=service.price,
        )
        plan_reminder(booking)
    hooks.calls.clear()
    with override_settings(SHOP_BOOKINGS={"NOTIFIER": "tests.hooks.SlowRecordingNotifier"}):
        results = run_at_once([tasks.send_due_reminders.call for _ in range(4)])
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["sent"] for r in results) == 5
    reminded = Counter(pk for event, pk in hooks.calls)
    assert reminded == Counter(Booking.objects.values_list("pk", flat=True))  # each once
    assert not BookingNotification.objects.filter(sent_at__isnull=True).exists()


def test_first_profile_saves_at_once_make_one_profile():
    user = make_user(specialist=True)
    data = [{"city": f"City {i}"} for i in range(6)]
    results = run_at_once(
        [lambda d=d: services.save_specialist_profile(user=user, data=d) for d in data]
    )
    assert all(isinstance(r, Specialist) for r in results), results
    assert Specialist.objects.filter(user=user).count() == 1


def test_concurrent_edits_of_different_fields_both_survive(monkeypatch):
    specialist = make_specialist()
    service = make_service(specialist, name="Old name", price="10.00")
    validate = serializers.ServiceSerializer.validate

    def slow_validate(self, attrs):
        time.sleep(0.3)  # between reading the row and saving it
        return validate(self, attrs)

    monkeypatch.setattr(serializers.ServiceSerializer, "validate", slow_validate)

    def patch(body):
        def call():
            api = APIClient()
            api.force_authenticate(specialist.user)
            return api.patch(f"{BASE}services/{service.pk}/", body, format="json").status_code

        return call

    assert run_at_once([patch({"name": "New name"}), patch({"price": "99.00"})]) == [200, 200]
    service.refresh_from_db()
    assert (service.name, str(service.price)) == ("New name", "99.00")


def test_deleting_a_service_while_it_is_booked_is_never_a_500(monkeypatch):
    from django.db.models.signals import pre_delete

    specialist = make_specialist()
    service = make_service(specialist)
    client = make_user()

    def slow_delete(sender, instance, **kwargs):
        time.sleep(0.4)  # after PROTECT found no booking, before the DELETE

    pre_delete.connect(slow_delete, sender=Service, dispatch_uid="slow-delete")
    try:

        def delete():
            api = APIClient()
            api.force_authenticate(specialist.user)
            return api.delete(f"{BASE}services/{service.pk}/").status_code

        def book():
            time.sleep(0.15)  # lands inside the delete's window
            try:
                services.create_booking(client=client, service=service, start=at(future_day(), 10))
            except exceptions.BookingRejected as exc:
                return exc.code
            return "booked"

        deleted, booked = run_at_once([delete, book])
    finally:
        pre_delete.disconnect(dispatch_uid="slow-delete")
    # One of the two serial orders, never an IntegrityError (a 500) in between.
    assert (deleted, booked) in [(204, "inactive_service"), (400, "booked")]
    assert Service.objects.filter(pk=service.pk).exists() == (booked == "booked")
