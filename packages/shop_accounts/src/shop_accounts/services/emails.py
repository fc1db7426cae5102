"""E-mails are queued in the caller's transaction and sent after it commits.

A request never waits for, or fails because of, the mail server: the
message is stored (``OutgoingEmail``), the ``deliver_email`` task is
enqueued once the transaction commits, and a failed send is kept and
retried by ``send_pending_emails`` (a task and a management command for a
scheduler). A message is claimed with a conditional UPDATE before it is
sent and marked sent only after the server took it, so two workers never
send it twice; a worker that dies mid-send leaves a claim that runs out.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..conf import app_settings
from ..models import OutgoingEmail

logger = logging.getLogger(__name__)

CLAIM = timedelta(minutes=10)
ERROR_LENGTH = 2000


def queue_email(message: EmailMessage) -> OutgoingEmail:
    """Store ``message`` and have it sent once the current transaction commits."""
    alternatives = getattr(message, "alternatives", None) or []
    html = next((alt[0] for alt in alternatives if alt[1] == "text/html"), "")
    email = OutgoingEmail.objects.create(
        to=list(message.to),
        from_email=message.from_email or "",
        subject=message.subject,
        body=message.body,
        html_body=html,
    )

    def enqueue() -> None:  # a function, not a partial: Django logs its __qualname__
        _enqueue(email.pk)

    # robust: a queue that is down leaves the e-mail for send_pending_emails.
    transaction.on_commit(enqueue, robust=True)
    return email


def _enqueue(email_id: int) -> None:
    from ..tasks import deliver_email

    deliver_email.using(backend=app_settings.TASK_BACKEND).enqueue(email_id)


def _claim(email_id: int) -> bool:
    now = timezone.now()
    return bool(
        OutgoingEmail.objects.filter(pk=email_id, sent_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + CLAIM)
    )


def _message(email: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        email.subject, email.body, email.from_email or None, list(email.to)
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


def deliver(email_id: int) -> bool:
    """Send one queued e-mail unless it was sent or is being sent; whether it was sent now."""
    if not _claim(email_id):
        return False
    email = OutgoingEmail.objects.get(pk=email_id)
    try:
        _message(email).send()
    except Exception as exc:  # any backend failure: keep the e-mail for a retry
        logger.warning("E-mail %s not sent (attempt %s): %r", email_id, email.attempts + 1, exc)
        OutgoingEmail.objects.filter(pk=email_id).update(
            attempts=F("attempts") + 1, last_error=repr(exc)[:ERROR_LENGTH], claimed_until=None
        )
        return False
    OutgoingEmail.objects.filter(pk=email_id).update(
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        claimed_until=None,
        last_error="",
        body="",
        html_body="",
    )
    return True


def send_pending(*, include_failed: bool = False) -> int:
    """Send every e-mail not sent yet (oldest first); returns how many were sent.

    E-mails that failed ``EMAIL_MAX_ATTEMPTS`` times are left alone unless
    ``include_failed``.
    """
    pending = OutgoingEmail.objects.filter(sent_at__isnull=True)
    if not include_failed:
        pending = pending.filter(attempts__lt=app_settings.EMAIL_MAX_ATTEMPTS)
    ids = list(pending.order_by("created_at", "pk").values_list("pk", flat=True))
    return sum(deliver(email_id) for email_id in ids)
