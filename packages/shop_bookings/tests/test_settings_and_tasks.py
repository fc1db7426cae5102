"""Settings dict, the two hooks, notifications through the tasks API, reminders."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.utils import timezone

from shop_bookings import services, tasks
from shop_bookings.conf import app_settings
from shop_bookings.models import Booking, BookingNotification
from shop_bookings.permissions import user_is_specialist

from . import hooks
from .factories import at, future_day, make_service, make_specialist, make_user
from .settings import TASKS_BACKEND

TASKS_MODULE = TASKS_BACKEND.split(".backends.")[0]

pytestmark = pytest.mark.django_db
BASE = "/api/v1/bookings/"


def test_defaults_and_override():
    assert app_settings.SLOT_STEP_MINUTES == 15
    with override_settings(SHOP_BOOKINGS={"SLOT_STEP_MINUTES": 30}):
        assert app_settings.SLOT_STEP_MINUTES == 30
    assert app_settings.SLOT_STEP_MINUTES == 15


def test_unknown_key_raises():
    with override_settings(SHOP_BOOKINGS={"SLOT_STEPS": 30}):
        with pytest.raises(ImproperlyConfigured, match="SLOT_STEPS"):
            _ = app_settings.SLOT_STEP_MINUTES


def test_bad_hook_path_raises():
    with override_settings(SHOP_BOOKINGS={"NOTIFIER": "nowhere.at_all"}):
        with pytest.raises(ImproperlyConfigured, match="NOTIFIER"):
            _ = app_settings.NOTIFIER


def test_specialist_group_name_is_configurable():
    user = make_user(specialist=True)  # in group "specialist"
    assert user_is_specialist(user)
    with override_settings(SHOP_BOOKINGS={"SPECIALIST_GROUP": "masters"}):
        assert not user_is_specialist(user)


def test_is_specialist_hook_swapped(api_as, client_user):
    api = api_as(client_user)
    assert api.put(f"{BASE}specialists/me/", {"time_zone": "UTC"}, format="json").status_code == 403
    with override_settings(SHOP_BOOKINGS={"IS_SPECIALIST": "tests.hooks.everyone_is_specialist"}):
        response = api.put(
            f"{BASE}specialists/me/",
            {"time_zone": "Europe/Berlin", "city": "Berlin", "display_name": "Alice"},
            format="json",
        )
        assert response.status_code == 200, response.data
        assert response.data["time_zone"] == "Europe/Berlin"
    specialist = make_specialist()
    with override_settings(SHOP_BOOKINGS={"IS_SPECIALIST": "tests.hooks.nobody_is_specialist"}):
        response = api_as(specialist.user).post(
            f"{BASE}services/", {"name": "x", "price": "1", "duration_minutes": 30}, format="json"
        )
        assert response.status_code == 403


def test_profile_time_zone_is_validated(api_as):
    specialist = make_specialist()
    api = api_as(specialist.user)
    bad = api.patch(f"{BASE}specialists/me/", {"time_zone": "CEST+2"}, format="json")
    assert bad.status_code == 400 and "time_zone" in bad.data
    ok = api.patch(f"{BASE}specialists/me/", {"bio": "Hello"}, format="json")
    assert ok.status_code == 200 and ok.data["bio"] == "Hello"
    assert api.get(f"{BASE}specialists/me/").data["bio"] == "Hello"


def test_me_without_profile_is_404(api_as):
    assert api_as(make_user(specialist=True)).get(f"{BASE}specialists/me/").status_code == 404


def test_default_notifier_sends_emails(client_user, service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking, _ = services.create_booking(
            client=client_user, service=service, start=at(future_day(), 10)
        )
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([client_user.email, service.specialist.user.email])
    assert service.name in mail.outbox[0].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_booking(
            booking=booking, by=service.specialist.user, now=booking.start + timedelta(hours=1)
        )
    # Completion is news for the client only.
    assert [m.to for m in mail.outbox] == [[client_user.email]]


def test_notifier_hook_swapped(client_user, specialist, django_capture_on_commit_callbacks):
    service = make_service(specialist, requires_confirmation=True)
    hooks.calls.clear()
    with override_settings(SHOP_BOOKINGS={"NOTIFIER": "tests.hooks.recording_notifier"}):
        with django_capture_on_commit_callbacks(execute=True):
            booking, _ = services.create_booking(
                client=client_user, service=service, start=at(future_day(), 10)
            )
        with django_capture_on_commit_callbacks(execute=True):
            services.confirm_booking(booking=booking, by=specialist.user)
        with django_capture_on_commit_callbacks(execute=True):
            services.cancel_booking(booking=booking, by=client_user)
    assert hooks.calls == [
        ("created", booking.pk),
        ("confirmed", booking.pk),
        ("cancelled", booking.pk),
    ]
    assert mail.outbox == []


def test_notification_task_runs_on_the_tasks_backend(client_user, service):
    booking, _ = services.create_booking(
        client=client_user, service=service, start=at(future_day(), 10)
    )
    notification = BookingNotification.objects.create(booking=booking, event="reminder")
    result = tasks.enqueue(tasks.send_booking_notification, notification.pk)
    assert result.status.name == "SUCCESSFUL"
    assert len(mail.outbox) == 2
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 1


def test_due_reminders_are_sent_once(client_user, specialist):
    service = make_service(specialist)
    soon = timezone.now() + timedelta(hours=3)
    soon = soon.replace(minute=0, second=0, microsecond=0)
    later = at(future_day(5), 10)
    with override_settings(SHOP_BOOKINGS={"MIN_NOTICE_MINUTES": 0}):
        specialist.working_hours.update(start="00:00", end="00:00")  # around the clock
        near, _ = services.create_booking(client=client_user, service=service, start=soon)
        far, _ = services.create_booking(client=client_user, service=service, start=later)
    hooks.calls.clear()
    with override_settings(SHOP_BOOKINGS={"NOTIFIER": "tests.hooks.recording_notifier"}):
        out = io.StringIO()
        call_command("send_booking_reminders", stdout=out)
        assert "1 reminder" in out.getvalue()
        # The command also sends the "created" notifications no commit sent here.
        assert [call for call in hooks.calls if call[0] == "reminder"] == [("reminder", near.pk)]
        assert tasks.send_due_reminders.call() == {"sent": 0, "failed": 0}
        assert tasks.send_booking_reminder.call(near.pk) is False
    near.refresh_from_db()
    far.refresh_from_db()
    assert near.reminder_sent_at is not None and far.reminder_sent_at is None


def test_cancelled_booking_gets_no_reminder(client_user, service):
    booking, _ = services.create_booking(
        client=client_user, service=service, start=at(future_day(), 10)
    )
    Booking.objects.filter(pk=booking.pk).update(status="cancelled")
    assert tasks.send_booking_reminder.call(booking.pk) is False
    assert mail.outbox == []


def test_reminder_is_deferred_when_the_backend_can(
    client_user, service, settings, django_capture_on_commit_callbacks
):
    backend = TASKS_MODULE + ".backends.dummy.DummyBackend"
    settings.TASKS = {"default": {"BACKEND": backend}}
    with django_capture_on_commit_callbacks(execute=True):
        booking, _ = services.create_booking(
            client=client_user, service=service, start=at(future_day(5), 10)
        )
    results = tasks.send_booking_reminder.get_backend().results
    deferred = [r for r in results if r.task.name == "send_booking_reminder"]
    assert len(deferred) == 1 and deferred[0].args == [booking.pk]
    assert deferred[0].task.run_after == booking.start - timedelta(hours=24)


@pytest.mark.parametrize(
    ("config", "error_id", "named"),
    [
        ({"SLOT_STEPS": 30}, "shop_bookings.E001", "SLOT_STEPS"),  # misspelt key
        ({"NOTIFIER": "nowhere.at_all"}, "shop_bookings.E001", "NOTIFIER"),
        ({"IS_SPECIALIST": "tests.hooks.no_such_hook"}, "shop_bookings.E001", "IS_SPECIALIST"),
        ({"HORIZON_DAYS": 10**9}, "shop_bookings.E002", "HORIZON_DAYS"),
        ({"SLOT_STEP_MINUTES": "15"}, "shop_bookings.E002", "SLOT_STEP_MINUTES"),
        ({"SEND_LEASE_MINUTES": 0}, "shop_bookings.E002", "SEND_LEASE_MINUTES"),
    ],
)
def test_misconfiguration_is_a_system_check_error(config, error_id, named):
    with override_settings(SHOP_BOOKINGS=config):
        errors = [e for e in run_checks() if e.id.startswith("shop_bookings.")]
        with pytest.raises(SystemCheckError, match=named):
            call_command("check")
    assert [e.id for e in errors] == [error_id]
    assert named in errors[0].msg


def test_the_defaults_pass_the_checks():
    assert [e for e in run_checks() if e.id.startswith("shop_bookings.")] == []
