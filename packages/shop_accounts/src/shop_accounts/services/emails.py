"""E-mails are queued in the caller's transaction and sent after it commits.

A request never waits for, or fails because of, the mail server: the
message is stored (``OutgoingEmail``), a receiver enqueues the
``deliver_email`` task once the transaction commits, and a failed send is
retried after a back-off by ``send_pending_emails`` (a task and a management
command for a scheduler). Delivery is ``shop_core.delivery``: a sender
claims the row with a conditional UPDATE and a lease, and marks it sent only
after the server took it, so two workers never send it at once.
"""

from __future__ import annotations

from django.core.mail import EmailMessage, EmailMultiAlternatives

from shop_core import delivery

from ..conf import app_settings
from ..models import OutgoingEmail

# ``--include-failed``: no cap on attempts (the column's largest value).
NO_LIMIT = 2**31 - 1


def queue_email(message: EmailMessage) -> OutgoingEmail:
    """Store ``message``; it is sent once the current transaction commits."""
    alternatives = getattr(message, "alternatives", None) or []
    html = next((alt[0] for alt in alternatives if alt[1] == "text/html"), "")
    return OutgoingEmail.objects.create(
        to=list(message.to),
        from_email=message.from_email or "",
        subject=message.subject,
        body=message.body,
        html_body=html,
    )


def _message(email: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        email.subject, email.body, email.from_email or None, list(email.to)
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


def _send(email_id: int) -> None:
    _message(OutgoingEmail.objects.get(pk=email_id)).send()


def _forget_sent_bodies() -> None:
    """Sent e-mails keep no body: it holds one-time links."""
    OutgoingEmail.objects.filter(sent_at__isnull=False).exclude(body="", html_body="").update(
        body="", html_body=""
    )


def deliver(email_id: int) -> bool:
    """Send one queued e-mail unless it was sent, is held by another sender, is not due
    or is out of attempts; whether it was sent now."""
    sent = delivery.deliver(
        OutgoingEmail.objects.all(),
        pk=email_id,
        send=lambda: _send(email_id),
        max_attempts=app_settings.EMAIL_MAX_ATTEMPTS,
    )
    if sent:
        _forget_sent_bodies()
    return bool(sent)


def send_pending(*, include_failed: bool = False) -> int:
    """Send every e-mail that is due (oldest first); returns how many were sent.

    E-mails that failed ``EMAIL_MAX_ATTEMPTS`` times are left alone unless
    ``include_failed``.
    """
    sent, _failed = delivery.deliver_due(
        OutgoingEmail.objects.all(),
        send=_send,
        max_attempts=NO_LIMIT if include_failed else app_settings.EMAIL_MAX_ATTEMPTS,
    )
    _forget_sent_bodies()
    return sent
