"""Background work through the Django tasks API (django.tasks, or the django-tasks backport).

- ``send_booking_notification``: one outbox row (``BookingNotification``),
  enqueued after the commit of the change that wrote it.
- ``send_booking_reminder``: the reminder of one booking, enqueued with
  ``run_after`` when the backend can defer.
- ``send_due_reminders`` and ``send_pending_notifications``: what is due or
  failed before; ``manage.py send_booking_reminders`` runs both from cron.

Each send goes through ``delivery.deliver_once``: claimed by a conditional
UPDATE, marked sent only after the NOTIFIER returned, released for a retry
when it raised. A failure never stops a batch: it is logged and counted.
"""

from __future__ import annotations

import logging
from datetime import timedelta

try:  # Django >= 6.0
    from django.tasks import task
except ImportError:  # the backport
    from django_tasks import task

from django.db.models import F
from django.utils import timezone

from .conf import app_settings
from .delivery import deliver_once
from .models import ACTIVE_STATUSES, Booking, BookingNotification

logger = logging.getLogger(__name__)


def _load(booking_id: int) -> Booking:
    return Booking.objects.select_related("specialist__user", "client", "service").get(
        pk=booking_id
    )


def _notify(notification_id: int) -> None:
    notification = BookingNotification.objects.get(pk=notification_id)
    app_settings.NOTIFIER(event=notification.event, booking=_load(notification.booking_id))


@task()
def send_booking_notification(notification_id: int) -> bool:
    """Send one notification via the NOTIFIER hook; False if sent, being sent or given up."""
    rows = BookingNotification.objects.filter(
        pk=notification_id, attempts__lt=app_settings.NOTIFICATION_MAX_ATTEMPTS
    )
    return deliver_once(
        rows,
        send=lambda: _notify(notification_id),
        on_claim={"attempts": F("attempts") + 1},
        on_failure=lambda exc: {"last_error": repr(exc)[:2000]},
    )


@task()
def send_booking_reminder(booking_id: int) -> bool:
    """Send the reminder of one active booking once it is due; False if nothing was sent.

    Not before it is due: a reminder task deferred for the old start of a
    booking moved later does nothing (the reschedule enqueued a new one).
    """
    now = timezone.now()
    rows = Booking.objects.filter(
        pk=booking_id,
        status__in=ACTIVE_STATUSES,
        start__gt=now,
        start__lte=now + timedelta(minutes=app_settings.REMINDER_BEFORE_MINUTES),
    )
    return deliver_once(
        rows,
        send=lambda: app_settings.NOTIFIER(event="reminder", booking=_load(booking_id)),
        sent="reminder_sent_at",
        claimed="reminder_claimed_at",
        now=now,
    )


def _send_each(sender, ids) -> dict[str, int]:
    sent = failed = 0
    for pk in ids:
        try:
            sent += bool(sender.call(pk))
        except Exception:  # one broken send must not stop the batch; retried next run
            failed += 1
            logger.exception("shop_bookings: %s(%s) failed; it will be retried", sender.name, pk)
    return {"sent": sent, "failed": failed}


@task()
def send_due_reminders() -> dict[str, int]:
    """Send every reminder that is due now: ``{"sent": n, "failed": m}``."""
    from .selectors import upcoming_reminders

    return _send_each(
        send_booking_reminder, list(upcoming_reminders().values_list("pk", flat=True))
    )


@task()
def send_pending_notifications() -> dict[str, int]:
    """Retry every notification not sent yet: ``{"sent": n, "failed": m}``."""
    from .selectors import pending_notifications

    pending = list(pending_notifications().values_list("pk", flat=True))
    return _send_each(send_booking_notification, pending)


def enqueue(task_obj, *args, run_after=None):
    """Enqueue on the configured TASK_BACKEND (deferred when asked and supported)."""
    configured = task_obj.using(backend=app_settings.TASK_BACKEND)
    if run_after is not None:
        if not configured.get_backend().supports_defer:
            return None  # send_due_reminders will pick it up
        configured = configured.using(run_after=run_after)
    return configured.enqueue(*args)
