"""Background work through the Django tasks API (django.tasks, or the django-tasks backport).

- ``send_booking_notification``: one outbox row (an event or a reminder),
  enqueued by the receivers after the commit that wrote it (a reminder
  deferred to its due time when the backend can defer).
- ``send_due_reminders`` and ``send_pending_notifications``: every row that
  is due, new or failed before; ``manage.py send_booking_reminders`` runs
  both from cron.

The sending itself is ``services.notifications`` (``shop_core.delivery``):
claimed by a conditional UPDATE, marked sent only after the NOTIFIER
returned, retried after a back-off when it raised. Nothing here raises.
This module imports the services, never the other way round.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

try:  # Django >= 6.0
    from django.tasks import task
except ImportError:  # the backport
    from django_tasks import task

from django.utils import timezone

from .conf import app_settings
from .models import BookingNotification
from .services import notifications


@task()
def send_booking_notification(notification_id: int) -> bool | None:
    """Send one notification or reminder if it is due: True sent, False failed
    (retried later), None nothing to do (sent, not due, held, or no longer wanted)."""
    return notifications.send_one(notification_id)


@task()
def send_due_reminders() -> dict[str, int]:
    """Send every reminder that is due: ``{"sent": n, "failed": m}``."""
    return notifications.send_due(reminders=True)


@task()
def send_pending_notifications() -> dict[str, int]:
    """Send (or retry) every other notification that is due: ``{"sent": n, "failed": m}``."""
    return notifications.send_due(reminders=False)


def enqueue(task_obj: Any, *args: Any, run_after: Any = None) -> Any:
    """Enqueue on the configured TASK_BACKEND (deferred when asked and supported);
    None when the backend cannot defer (cron sends it when due)."""
    configured = task_obj.using(backend=app_settings.TASK_BACKEND)
    if run_after is not None:
        if not configured.get_backend().supports_defer:
            return None
        configured = configured.using(run_after=run_after)
    return configured.enqueue(*args)


def enqueue_notifications(rows: Iterable[BookingNotification | None]) -> None:
    """Hand outbox rows to ``send_booking_notification``: now, or at their due time."""
    now = timezone.now()
    for row in rows:
        if row is not None:
            later = row.due if row.due > now else None
            enqueue(send_booking_notification, row.pk, run_after=later)
