"""Reminders and notifications: marked sent only after sending, failures retried, never twice."""

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
    """A confirmed booking whose reminder is due now (written directly: no notifications)."""
    start = timezone.now().replace(microsecond=0) + timedelta(hours=hours_ahead)
    return Booking.objects.create(
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


def run_command() -> str:
    out = io.StringIO()
    call_command("send_booking_reminders", stdout=out)
    return out.getvalue()


def mails_to(address: str) -> int:
    return sum(address in message.to for message in mail.outbox)


def test_a_failed_reminder_is_retried_next_run_and_sent_once(failing_recipients, service):
    alice, bob = make_user("alice"), make_user("bob")
    failing = due_booking(service, alice, hours_ahead=3)
    fine = due_booking(service, bob, hours_ahead=5)
    failing_recipients.add(alice.email)

    out = io.StringIO()
    with pytest.raises(CommandError, match="1 send"):
        call_command("send_booking_reminders", stdout=out)
    assert "1 reminder(s) sent, 1 failed" in out.getvalue()  # the batch went on
    failing.refresh_from_db()
    fine.refresh_from_db()
    assert fine.reminder_sent_at is not None
    assert failing.reminder_sent_at is None and failing.reminder_claimed_at is None
    assert (mails_to(bob.email), mails_to(alice.email)) == (1, 0)

    failing_recipients.clear()  # the mail server is back
    assert "1 reminder(s) sent, 0 failed" in run_command()
    assert "0 reminder(s) sent, 0 failed" in run_command()
    failing.refresh_from_db()
    assert failing.reminder_sent_at is not None
    assert (mails_to(bob.email), mails_to(alice.email)) == (1, 1)


def test_a_claim_is_respected_until_its_lease_expires(service, client_user):
    booking = due_booking(service, client_user)
    now = timezone.now()
    Booking.objects.filter(pk=booking.pk).update(reminder_claimed_at=now - timedelta(minutes=9))
    assert tasks.send_due_reminders.call() == {"sent": 0, "failed": 0}  # another sender has it
    assert mail.outbox == []
    # That sender died: after SEND_LEASE_MINUTES (10) the reminder is free again.
    Booking.objects.filter(pk=booking.pk).update(reminder_claimed_at=now - timedelta(minutes=11))
    assert tasks.send_due_reminders.call() == {"sent": 1, "failed": 0}
    assert mails_to(client_user.email) == 1


def test_a_reminder_deferred_for_an_old_start_does_nothing(open_all_day, client_user):
    with override_settings(
        SHOP_BOOKINGS={"MIN_NOTICE_MINUTES": 0, "CLIENT_CHANGE_CUTOFF_MINUTES": 0}
    ):
        soon = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=3)
        booking, _ = services.create_booking(client=client_user, service=open_all_day, start=soon)
        services.reschedule_booking(booking=booking, start=at(future_day(5), 10), by=client_user)
    mail.outbox.clear()
    # The task enqueued for the first start runs now: the booking is no longer due.
    assert tasks.send_booking_reminder.call(booking.pk) is False
    assert mail.outbox == []
    booking.refresh_from_db()
    assert booking.reminder_sent_at is None


def test_a_failing_mail_server_loses_no_notification(
    api_as, failing_recipients, client_user, service, django_capture_on_commit_callbacks
):
    failing_recipients.add(client_user.email)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(client_user).post(
            f"{BASE}bookings/",
            {"service": service.pk, "start": at(future_day(), 10).isoformat()},
            format="json",
        )
    assert response.status_code == 201  # the booking stands; the e-mail failed
    notification = BookingNotification.objects.get()
    assert (notification.event, notification.sent_at, notification.attempts) == ("created", None, 1)
    assert "SMTPRecipientsRefused" in notification.last_error

    with pytest.raises(CommandError):  # still failing: retried, counted, not lost
        run_command()
    failing_recipients.clear()
    assert "1 notification(s) sent, 0 failed" in run_command()
    assert "0 notification(s) sent, 0 failed" in run_command()
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 3
    assert mails_to(client_user.email) == 1


def test_a_notification_is_given_up_after_its_attempts(failing_recipients, client_user, service):
    booking = due_booking(service, client_user, hours_ahead=100)
    notification = BookingNotification.objects.create(booking=booking, event="confirmed")
    failing_recipients.add(client_user.email)
    with override_settings(SHOP_BOOKINGS={"NOTIFICATION_MAX_ATTEMPTS": 2}):
        for _ in range(2):
            with pytest.raises(CommandError):
                run_command()
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
    events = list(booking.notifications.values_list("event", flat=True))
    assert events == ["created", "confirmed", "cancelled"]
