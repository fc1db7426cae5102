"""Background work through the Django tasks API (django.tasks, or the django-tasks backport).

``send_booking_notification`` calls the NOTIFIER hook; reminders are sent by
``send_booking_reminder`` (enqueued with ``run_after`` when the backend can
defer) and by ``send_due_reminders``, which a scheduler runs periodically
(``manage.py send_booking_reminders``). A reminder is claimed with a
conditional UPDATE, so the two paths never send it twice.
"""

from __future__ import annotations

try:  # Django >= 6.0
    from django.tasks import task
except ImportError:  # the backport
    from django_tasks import task

from django.utils import timezone

from .conf import app_settings
from .models import ACTIVE_STATUSES, Booking


def _load(booking_id: int) -> Booking | None:
    return (
        Booking.objects.select_related("specialist__user", "client", "service")
        .filter(pk=booking_id)
        .first()
    )


@task()
def send_booking_notification(booking_id: int, event: str) -> None:
    """Tell the people concerned about ``event`` of a booking (via the NOTIFIER hook)."""
    booking = _load(booking_id)
    if booking is not None:
        app_settings.NOTIFIER(event=event, booking=booking)


@task()
def send_booking_reminder(booking_id: int) -> bool:
    """Send the reminder of one booking unless it was sent, cancelled or already started."""
    from .services import mark_reminder_sent

    booking = _load(booking_id)
    if booking is None or booking.status not in ACTIVE_STATUSES:
        return False
    if booking.start <= timezone.now() or not mark_reminder_sent(booking_id=booking_id):
        return False
    app_settings.NOTIFIER(event="reminder", booking=booking)
    return True


@task()
def send_due_reminders() -> int:
    """Send every reminder that is due now; returns how many were sent."""
    from .selectors import upcoming_reminders

    sent = 0
    for booking_id in upcoming_reminders().values_list("pk", flat=True):
        sent += bool(send_booking_reminder.call(booking_id))
    return sent


def enqueue(task_obj, *args, run_after=None):
    """Enqueue on the configured TASK_BACKEND (deferred when asked and supported)."""
    configured = task_obj.using(backend=app_settings.TASK_BACKEND)
    if run_after is not None:
        if not configured.get_backend().supports_defer:
            return None  # send_due_reminders will pick it up
        configured = configured.using(run_after=run_after)
    return configured.enqueue(*args)
