"""Background work through the Django tasks API (``django.tasks`` on Django 6+,
the ``django-tasks`` backport before): sending the queued e-mails."""

from __future__ import annotations

try:  # Django >= 6.0
    from django.tasks import task
except ImportError:  # the backport
    from django_tasks import task

from .services import emails


@task()
def deliver_email(email_id: int) -> bool:
    """Send one queued e-mail (enqueued when the transaction that queued it commits)."""
    return emails.deliver(email_id)


@task()
def send_pending_emails() -> int:
    """Retry every e-mail not sent yet; for a scheduler (or ``manage.py send_pending_emails``)."""
    return emails.send_pending()
