"""Background work through the Django tasks API: sending the notifications.

``send_notification`` is enqueued for each outbox row after the commit that
wrote it (``enqueue_notifications``, called by the receivers);
``send_due_notifications`` sends whatever is due (a scheduler runs it, or
``manage.py send_order_notifications``). Both leave failures recorded on the
row and raise nothing (see ``services.notifications``).
"""

from __future__ import annotations

from collections.abc import Iterable

try:  # Django >= 6.0
    from django.tasks import task
except ImportError:  # the django-tasks backport
    from django_tasks import task

from .conf import app_settings
from .services import notifications


@task()
def send_notification(notification_id: int) -> bool:
    """Send one notification (no-op when it was sent or another worker holds it)."""
    return notifications.deliver(notification_id)


@task()
def send_due_notifications() -> int:
    """Send every notification that is due; returns how many were sent."""
    return notifications.deliver_due()


def enqueue_notifications(ids: Iterable[int]) -> None:
    """Hand each row to ``send_notification`` on ``SHOP_ORDERS["TASK_BACKEND"]``."""
    job = send_notification.using(backend=app_settings.TASK_BACKEND)
    for notification_id in ids:
        job.enqueue(notification_id)
