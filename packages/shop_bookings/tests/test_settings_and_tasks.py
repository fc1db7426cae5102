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
from shop_bookings.models import BookingNotification
from shop_bookings.permissions import user_is_specialist
from shop_bookings.users import email_of

from . import hooks
from .factories import at, error_codes, future_day, make_service, make_specialist, make_user
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
    refused = api.put(f"{BASE}specialists/me/", {"time_zone": "UTC"}, format="json")
    assert refused.status_code == 403 and error_codes(refused) == {None: ["permission_denied"]}
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
    assert bad.status_code == 400 and error_codes(bad) == {"time_zone": ["invalid_time_zone"]}
    ok = api.patch(f"{BASE}specialists/me/", {"bio": "Hello"}, format="json")
    assert ok.status_code == 200 and ok.data["bio"] == "Hello"
    assert api.get(f"{BASE}specialists/me/").data["bio"] == "Hello"


def test_me_without_profile_is_404(api_as):
    response = api_as(make_user(specialist=True)).get(f"{BASE}specialists/me/")
    assert response.status_code == 404 and error_codes(response) == {None: ["no_profile"]}


def test_a_profile_for_a_user_the_hook_refuses_is_403(client_user):
    from shop_bookings.exceptions import NotSpecialist

    with pytest.raises(NotSpecialist) as info:
        services.save_specialist_profile(user=client_user, data={"city": "Berlin"})
    assert (info.value.code, info.value.status_code) == ("not_specialist", 403)


def test_default_notifier_sends_emails(client_user, service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking, _ = services.create_booking(
            client=client_user, service=service, start=at(future_day(), 10)
        )
    recipients = [m.to[0] for m in mail.outbox]
    assert recipients == [email_of(client_user), email_of(service.specialist.user)]  # client first
    assert service.name in mail.outbox[0].subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.complete_booking(
            booking=booking, by=service.specialist.user, now=booking.start + timedelta(hours=1)
        )
    # Completion is news for the client only.
    assert [m.to for m in mail.outbox] == [[email_of(client_user)]]
    assert mail.outbox[0].subject.startswith("Booking completed: ")


def test_notifier_hook_swapped(client_user, specialist, django_capture_on_commit_callbacks):
    service = make_service(specialist, requires_confirmation=True)
    hooks.calls.clear()
    with override_settings(SHOP_BOOKINGS={"NOTIFIER": "tests.hooks.RecordingNotifier"}):
        with django_capture_on_commit_callbacks(execute=True):
            booking, _ = services.create_booking(
                client=client_user, service=service, start=at(future_day(), 10)
            )
        with django_capture_on_commit_callbacks(execute=True):
            services.confirm_booking(booking=booking, by=specialist.user)
        with django_capture_on_commit_callbacks(execute=True):
            services.reschedule_booking(
                booking=booking, start=booking.start + timedelta(hours=1), by=client_user
            )
        with django_capture_on_commit_callbacks(execute=True):
            services.cancel_booking(booking=booking, by=client_user)
    assert hooks.calls == [
        ("created", booking.pk),
        ("confirmed", booking.pk),
        ("rescheduled", booking.pk),
        ("canceled", booking.pk),
    ]
    assert mail.outbox == []


def test_notification_task_runs_on_the_tasks_backend(client_user, service):
    booking, _ = services.create_booking(
        client=client_user, service=service, start=at(future_day(), 10)
    )
    notification = BookingNotification.objects.create(booking=booking, event="created")
    result = tasks.enqueue(tasks.send_booking_notification, notification.pk)
    assert result.status.name == "SUCCESSFUL" and result.return_value is True
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
    with override_settings(SHOP_BOOKINGS={"NOTIFIER": "tests.hooks.RecordingNotifier"}):
        out = io.StringIO()
        call_command("send_booking_reminders", stdout=out)
        assert "1 reminder" in out.getvalue()
        # The command also sends the "created" notifications no commit sent here.
        assert [call for call in hooks.calls if call[0] == "reminder"] == [("reminder", near.pk)]
        assert tasks.send_due_reminders.call() == {"sent": 0, "failed": 0}
        near_reminder = near.notifications.get(event="reminder")
        assert tasks.send_booking_notification.call(near_reminder.pk) is None
    assert near.notifications.get(event="reminder").sent_at is not None
    assert far.notifications.get(event="reminder").sent_at is None


def test_reminder_is_deferred_when_the_backend_can(
    client_user, service, settings, django_capture_on_commit_callbacks
):
    backend = TASKS_MODULE + ".backends.dummy.DummyBackend"
    settings.TASKS = {"default": {"BACKEND": backend}}
    with django_capture_on_commit_callbacks(execute=True):
        booking, _ = services.create_booking(
            client=client_user, service=service, start=at(future_day(5), 10)
        )
    results = tasks.send_booking_notification.get_backend().results
    reminder = booking.notifications.get(event="reminder")
    deferred = [r for r in results if r.task.run_after is not None]
    assert len(deferred) == 1 and deferred[0].args == [reminder.pk]
    assert deferred[0].task.run_after == booking.start - timedelta(hours=24) == reminder.due
    now = [r for r in results if r.task.run_after is None]
    assert [r.args for r in now] == [[booking.notifications.get(event="created").pk]]


@pytest.mark.parametrize(
    ("config", "error_id", "named"),
    [
        ({"SLOT_STEPS": 30}, "shop_bookings.E001", "SLOT_STEPS"),  # misspelt key
        ({"NOTIFIER": "nowhere.at_all"}, "shop_bookings.E001", "NOTIFIER"),
        ({"IS_SPECIALIST": "tests.hooks.no_such_hook"}, "shop_bookings.E001", "IS_SPECIALIST"),
        ({"HORIZON_DAYS": 10**9}, "shop_bookings.E002", "HORIZON_DAYS"),
        ({"SLOT_STEP_MINUTES": "15"}, "shop_bookings.E002", "SLOT_STEP_MINUTES"),
        ({"SEND_LEASE_MINUTES": 0}, "shop_bookings.E002", "SEND_LEASE_MINUTES"),
        ({"MAX_PAGE_SIZE": 0}, "shop_bookings.E002", "MAX_PAGE_SIZE"),
        ({"NOTIFIER": "tests.hooks.old_style_notifier"}, "shop_bookings.E003", "NOTIFIER"),
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


def test_no_notifier_passes_the_checks():
    with override_settings(SHOP_BOOKINGS={"NOTIFIER": None}):
        assert [e for e in run_checks() if e.id.startswith("shop_bookings.")] == []


def test_page_size_is_a_setting(api):
    for i in range(3):
        make_service(make_specialist(display_name=f"S{i}"))
    with override_settings(SHOP_BOOKINGS={"PAGE_SIZE": 2, "MAX_PAGE_SIZE": 2}):
        first = api.get(f"{BASE}specialists/").json()
        capped = api.get(f"{BASE}specialists/", {"page_size": 50}).json()
    assert first["count"] == 3 and len(first["results"]) == 2
    assert len(capped["results"]) == 2
