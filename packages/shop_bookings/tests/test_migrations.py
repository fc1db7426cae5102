"""Migrations 0004-0006 on rows written by the 0.1.0 development builds: one spelling
of canceled, notifications on shop_core.delivery's columns, reminders as outbox rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("shop_bookings", "0003_fingerprint_reminder_claim_notifications")]
AFTER = [("shop_bookings", "0006_drop_claims_canceled_choices")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = migrate(BEFORE)
    yield apps
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("shop_bookings")
    migrate(latest)  # leave the schema as the other tests expect it


def _old_rows(apps):
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    username = get_user_model().USERNAME_FIELD
    specialist_user = user_model.objects.create(**{username: "spec"})
    client = user_model.objects.create(**{username: "client"})
    specialist = apps.get_model("shop_bookings", "Specialist").objects.create(
        user=specialist_user, display_name="Spec", time_zone="UTC"
    )
    service = apps.get_model("shop_bookings", "Service").objects.create(
        specialist=specialist, name="Cut", price=10, duration_minutes=60
    )
    return client, specialist, service


def _booking(apps, client, specialist, service, start, status, **extra):
    return apps.get_model("shop_bookings", "Booking").objects.create(
        service=service,
        specialist=specialist,
        client=client,
        start=start,
        end=start + timedelta(hours=1),
        blocked_start=start,
        blocked_end=start + timedelta(hours=1),
        status=status,
        service_name="Cut",
        price=10,
        **extra,
    )


def test_old_rows_are_carried_over(old_apps):
    apps = old_apps
    Change = apps.get_model("shop_bookings", "BookingStatusChange")
    Notification = apps.get_model("shop_bookings", "BookingNotification")
    client, specialist, service = _old_rows(apps)
    ahead = timezone.now().replace(microsecond=0) + timedelta(days=3)
    canceled = _booking(apps, client, specialist, service, ahead, "cancelled")
    Change.objects.create(booking=canceled, from_status="", to_status="confirmed")
    cancel = Change.objects.create(booking=canceled, from_status="confirmed", to_status="cancelled")
    Notification.objects.create(booking=canceled, event="created", sent_at=timezone.now())
    failed = Notification.objects.create(
        booking=canceled, event="cancelled", attempts=1, last_error="SMTP down"
    )
    upcoming = _booking(apps, client, specialist, service, ahead + timedelta(hours=2), "confirmed")
    moved = Change.objects.create(
        booking=upcoming,
        from_status="confirmed",
        to_status="confirmed",
        comment="rescheduled from x",
    )
    rescheduled = Notification.objects.create(booking=upcoming, event="rescheduled")
    reminded_at = datetime(2030, 1, 1, tzinfo=dt_timezone.utc)
    reminded = _booking(
        apps,
        client,
        specialist,
        service,
        ahead + timedelta(hours=4),
        "confirmed",
        reminder_sent_at=reminded_at,
    )

    apps = migrate(AFTER)
    Booking = apps.get_model("shop_bookings", "Booking")
    Change = apps.get_model("shop_bookings", "BookingStatusChange")
    Notification = apps.get_model("shop_bookings", "BookingNotification")
    assert Booking.objects.get(pk=canceled.pk).status == "canceled"
    assert not Change.objects.filter(to_status="cancelled").exists()
    failed = Notification.objects.get(pk=failed.pk)
    assert (failed.event, failed.change_id, failed.attempts) == ("status_changed", cancel.pk, 1)
    assert failed.due == failed.created_at  # due again at once
    assert Notification.objects.get(pk=rescheduled.pk).change_id == moved.pk
    reminders = Notification.objects.filter(event="reminder")
    assert {r.booking_id: r.sent_at for r in reminders} == {
        upcoming.pk: None,  # ahead and not reminded yet: due 24 hours before
        reminded.pk: reminded_at,  # sent: kept as a sent row
    }
    assert reminders.get(booking_id=upcoming.pk).due == upcoming.start - timedelta(hours=24)

    apps = migrate(BEFORE)  # and back
    Booking = apps.get_model("shop_bookings", "Booking")
    Notification = apps.get_model("shop_bookings", "BookingNotification")
    assert Booking.objects.get(pk=canceled.pk).status == "cancelled"
    assert Booking.objects.get(pk=reminded.pk).reminder_sent_at == reminded_at
    assert Notification.objects.get(pk=failed.pk).event == "cancelled"
    assert not Notification.objects.filter(event="reminder").exists()


def test_0008_gives_every_existing_booking_a_session_of_its_own():
    apps = migrate([("shop_bookings", "0007_outbox_columns_from_shop_core")])
    try:
        client, specialist, service = _old_rows(apps)
        start = timezone.now() + timedelta(days=1)
        for hours in (0, 2):
            _booking(apps, client, specialist, service, start + timedelta(hours=hours), "confirmed")
        new_apps = migrate([("shop_bookings", "0008_service_rules_seats_holds_client_zone")])
        sessions = new_apps.get_model("shop_bookings", "Booking").objects.values_list(
            "session", flat=True
        )
        assert len(set(sessions)) == 2 and None not in sessions
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("shop_bookings"))
