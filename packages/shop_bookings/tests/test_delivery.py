"""Reminders and notifications: outbox rows marked sent only after sending, failures
retried after a back-off, never sent twice (``shop_core.delivery``)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from shop_bookings import services, tasks
from shop_bookings.models import Booking, BookingNotification
from shop_bookings.services.reminders import plan_reminder
from shop_bookings.users import email_of

from . import hooks
from .factories import at, future_day, make_service, make_specialist, make_user

pytestmark = pytest.mark.django_db
BASE = "/api/v1/bookings/"


@pytest.fixture
def failing_recipients(settings):
    """Addresses the mail server refuses (the test outbox keeps the rest)."""
    settings.EMAIL_BACKEND = "tests.hooks.FlakyEmailBackend"
    hooks.failing_recipients.clear()
    yield hooks.failing_recipients
    hooks.failing_recipients.clear()


@pytest.fixture
def open_all_day():
    specialist = make_specialist(hours=None)
    specialist.working_hours.create(weekday=0, start="00:00", end="00:00")
    for weekday in range(1, 7):
        specialist.working_hours.create(weekday=weekday, start="00:00", end="00:00")
    return make_service(specialist)


def due_booking(service, client, hours_ahead: int = 3) -> Booking:
    """A confirmed booking (written directly: no notifications) and its reminder, due now."""
    start = timezone.now().replace(microsecond=0) + timedelta(hours=hours_ahead)
    booking = Booking.objects.create(
        service=service,
        specialist=service.specialist,
        client=client,
        start=start,
        end=start + timedelta(hours=1),
        blocked_start=start,
        blocked_end=start + timedelta(hours=1),
        status="confirmed",
        service_name=service.name,
        price=service.price,
    )
    plan_reminder(booking)
    return booking


def reminder_of(booking: Booking) -> BookingNotification:
    return booking.notifications.get(event="reminder")


def time_passes() -> None:
    """Every row waiting for its back-off is due again (as a later cron run would find it)."""
    waiting = BookingNotification.objects.filter(sent_at__isnull=True, attempts__gt=0)
    waiting.update(due=timezone.now())


def run_command() -> str:
    out = io.StringIO()
    call_command("send_booking_reminders", stdout=out)
    return out.getvalue()


def mails_to(user) -> int:
    return sum(email_of(user) in message.to for message in mail.outbox)


def test_a_failed_reminder_is_retried_next_run_and_sent_once(failing_recipients, service):
    alice, bob = make_user("alice"), make_user("bob")
    failing = due_booking(service, alice, hours_ahead=3)
    fine = due_booking(service, bob, hours_ahead=5)
    failing_recipients.add(email_of(alice))

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 send"):
        call_command("send_booking_reminders", stdout=out)
    assert "1 reminder(s) sent, 1 failed" in out.getvalue()  # the batch went on
    assert reminder_of(fine).sent_at is not None
    failed = reminder_of(failing)
    assert (failed.sent_at, failed.attempts) == (None, 1)
    assert "SMTPRecipientsRefused" in failed.last_error
    assert failed.due > timezone.now()  # retried after a back-off
    assert (mails_to(bob), mails_to(alice)) == (1, 0)

    failing_recipients.clear()  # the mail server is back
    assert "0 reminder(s) sent, 0 failed" in run_command()  # still backing off
    time_passes()
    assert "1 reminder(s) sent, 0 failed" in run_command()
    assert "0 reminder(s) sent, 0 failed" in run_command()
    assert reminder_of(failing).sent_at is not None
    assert (mails_to(bob), mails_to(alice)) == (1, 1)


def test_a_claim_is_respected_until_its_lease_expires(service, client_user):
    booking = due_booking(service, client_user)
    now = timezone.now()
    # Another sender claimed it a minute ago: its lease (SEND_LEASE_MINUTES) runs 9 more.
    BookingNotification.objects.filter(booking=booking).update(
        due=now + timedelta(minutes=9), attempts=1
    )
    assert tasks.send_due_reminders.call() == {"sent": 0, "failed": 0}
    assert mail.outbox == []
    # That sender died: once the lease is over the reminder is free again.
    BookingNotification.objects.filter(booking=booking).update(due=now - timedelta(seconds=1))
    assert tasks.send_due_reminders.call() == {"sent": 1, "failed": 0}
    assert mails_to(client_user) == 1


def test_a_reminder_of_an_old_start_is_not_sent(open_all_day, client_user):
    with override_settings(
        SHOP_BOOKINGS={"MIN_NOTICE_MINUTES": 0, "CLIENT_CHANGE_CUTOFF_MINUTES": 0}
    ):
        soon = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=3)
        booking, _ = services.create_booking(client=client_user, service=open_all_day, start=soon)
        old_reminder = reminder_of(booking)
        services.reschedule_booking(booking=booking, start=at(future_day(5), 10), by=client_user)
    mail.outbox.clear()
    # The task enqueued for the first start runs now: that reminder is gone.
    assert tasks.send_booking_notification.call(old_reminder.pk) is None
    new_reminder = reminder_of(booking)
    assert new_reminder.due == at(future_day(5), 10) - timedelta(hours=24)
    assert tasks.send_booking_notification.call(new_reminder.pk) is None  # not due yet
    assert mail.outbox == []


def test_a_failing_mail_server_loses_no_notification(
    api_as, failing_recipients, client_user, service, django_capture_on_commit_callbacks
):
    failing_recipients.add(email_of(client_user))
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(client_user).post(
            f"{BASE}bookings/",
            {"service": service.pk, "start": at(future_day(), 10).isoformat()},
            format="json",
        )
    assert response.status_code == 201  # the booking stands; the e-mail failed
    notification = BookingNotification.objects.get(event="created")
    assert (notification.sent_at, notification.attempts) == (None, 1)
    assert "SMTPRecipientsRefused" in notification.last_error

    time_passes()
    with pytest.raises(CommandError):  # still failing: retried, counted, not lost
        run_command()
    failing_recipients.clear()
    time_passes()
    assert "1 notification(s) sent, 0 failed" in run_command()
    assert "0 notification(s) sent, 0 failed" in run_command()
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 3
    assert mails_to(client_user) == 1


def test_a_notification_is_given_up_after_its_attempts(failing_recipients, client_user, service):
    booking = due_booking(service, client_user, hours_ahead=100)
    notification = BookingNotification.objects.create(booking=booking, event="created")
    failing_recipients.add(email_of(client_user))
    with override_settings(SHOP_BOOKINGS={"NOTIFICATION_MAX_ATTEMPTS": 2}):
        for _ in range(2):
            with pytest.raises(CommandError):
                run_command()
            time_passes()
        assert "0 notification(s) sent, 0 failed" in run_command()  # no third attempt
    notification.refresh_from_db()
    assert (notification.attempts, notification.sent_at) == (2, None)


def test_each_change_writes_one_notification(client_user, specialist):
    service = make_service(specialist, requires_confirmation=True)
    booking, _ = services.create_booking(
        client=client_user, service=service, start=at(future_day(5), 10)
    )
    services.confirm_booking(booking=booking, by=specialist.user)
    services.cancel_booking(booking=booking, by=client_user)
    rows = booking.notifications.exclude(event="reminder").order_by("pk")
    assert [(row.event, row.change and row.change.to_status) for row in rows] == [
        ("created", None),
        ("status_changed", "confirmed"),
        ("status_changed", "canceled"),
    ]
    # The reminder of a canceled booking is dropped: nothing left to send.
    assert not booking.notifications.filter(event="reminder").exists()


def test_a_canceled_booking_gets_no_reminder(service, client_user):
    booking = due_booking(service, client_user)
    Booking.objects.filter(pk=booking.pk).update(status="canceled")  # behind the receivers' back
    assert tasks.send_booking_notification.call(reminder_of(booking).pk) is None
    assert tasks.send_due_reminders.call() == {"sent": 0, "failed": 0}
    assert mail.outbox == []


def test_no_notifier_means_no_rows(client_user, service, settings):
    settings.SHOP_BOOKINGS = {"NOTIFIER": None}
    booking, _ = services.create_booking(
        client=client_user, service=service, start=at(future_day(), 10)
    )
    assert not booking.notifications.exists()
    assert tasks.send_due_reminders.call() == {"sent": 0, "failed": 0}
