"""E-mails are queued and sent after commit: a failing mail server never fails a
request, a failed send is retried later, and nothing is sent twice."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone

from shop_accounts.models import OutgoingEmail
from shop_accounts.services import emails
from shop_accounts.tasks import send_pending_emails

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/accounts/registration/"
RESEND = "/api/v1/accounts/registration/resend-email/"
RESET = "/api/v1/accounts/password/reset/"
CHANGE = "/api/v1/accounts/password/change/"


class MailServerDown(OSError):
    pass


def refuse(self: Any, messages: Any) -> int:
    raise MailServerDown("connection refused")


@pytest.fixture
def mail_server_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test mail backend raises, as an SMTP backend does when the server is down."""
    monkeypatch.setattr(EmailBackend, "send_messages", refuse)


def register(client: Any, email: str = "new@example.com") -> Any:
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(REGISTER, data, format="json")


def sign_up_unverified(client: Any, email: str = "new@example.com") -> None:
    assert register(client, email).status_code == 201
    mail.outbox.clear()


# Each: (set-up, the request that sends an e-mail, its expected status, the recipient).
FLOWS = {
    "registration": (None, lambda c, **kw: register(c), 201, "new@example.com"),
    "taken address": (
        lambda make_user, client: make_user("new@example.com"),
        lambda c, **kw: register(c),
        201,
        "new@example.com",
    ),
    "resend": (
        lambda make_user, client: sign_up_unverified(client),
        lambda c, **kw: c.post(RESEND, {"email": "new@example.com"}, format="json"),
        200,
        "new@example.com",
    ),
    "password reset": (
        lambda make_user, client: make_user("new@example.com"),
        lambda c, **kw: c.post(RESET, {"email": "new@example.com"}, format="json"),
        200,
        "new@example.com",
    ),
}


@pytest.mark.parametrize("flow", FLOWS)
def test_mail_server_down_is_no_500_and_the_mail_goes_out_later(
    api_client, make_user, monkeypatch, flow
):
    setup, send, status, recipient = FLOWS[flow]
    if setup:
        setup(make_user, api_client)
    already_sent = OutgoingEmail.objects.count()
    monkeypatch.setattr(EmailBackend, "send_messages", refuse)

    response = send(api_client)

    assert response.status_code == status, response.content
    assert mail.outbox == []
    assert OutgoingEmail.objects.count() == already_sent + 1
    queued = OutgoingEmail.objects.get(sent_at__isnull=True)
    assert (queued.to, queued.attempts) == ([recipient], 1)
    assert "connection refused" in queued.last_error

    monkeypatch.undo()  # the server is back
    out = StringIO()
    call_command("send_pending_emails", stdout=out)
    assert "0 e-mails sent" in out.getvalue()  # the back-off: not before a minute
    later = time_machine.travel(timezone.now() + timedelta(minutes=1, seconds=1), tick=False)
    with later:
        out = StringIO()
        call_command("send_pending_emails", stdout=out)

    assert "1 e-mail sent" in out.getvalue()
    assert [m.to for m in mail.outbox] == [[recipient]]
    queued.refresh_from_db()
    assert queued.sent_at is not None and queued.attempts == 2
    assert (queued.body, queued.html_body, queued.last_error) == ("", "", "")  # no one-time links
    with later:
        call_command("send_pending_emails", stdout=StringIO())
    assert len(mail.outbox) == 1  # never twice


def test_password_change_notice_survives_the_mail_server(
    user_client, user, mail_server_down, settings
):
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True
    new = "Another-Horse-77"
    data = {"old_password": PASSWORD, "new_password1": new, "new_password2": new}

    response = user_client.post(CHANGE, data, format="json")

    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.check_password(new)
    assert OutgoingEmail.objects.get().attempts == 1


def test_sent_once_by_the_task_when_the_server_is_up(api_client, mailoutbox):
    assert register(api_client).status_code == 201

    assert len(mailoutbox) == 1
    email = OutgoingEmail.objects.get()
    assert email.sent_at is not None and email.attempts == 1
    assert send_pending_emails.call() == 0
    assert len(mailoutbox) == 1


def test_a_queue_that_is_down_leaves_the_mail_for_the_retry(api_client, monkeypatch, mailoutbox):
    def queue_down(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("task broker unreachable")

    monkeypatch.setattr("shop_accounts.receivers.enqueue_delivery", queue_down)

    assert register(api_client).status_code == 201
    assert mailoutbox == []

    assert send_pending_emails.call() == 1
    assert [m.to for m in mailoutbox] == [["new@example.com"]]


def test_queued_message_is_sent_as_written(mailoutbox, django_capture_on_commit_callbacks):
    message = mail.EmailMultiAlternatives("Hi", "text", "shop@example.com", ["a@example.com"])
    message.attach_alternative("<p>html</p>", "text/html")

    with django_capture_on_commit_callbacks(execute=True):
        emails.queue_email(message)

    assert len(mailoutbox) == 1
    sent = mailoutbox[0]

    assert (sent.subject, sent.body, sent.from_email, sent.to) == (
        "Hi",
        "text",
        "shop@example.com",
        ["a@example.com"],
    )
    assert sent.alternatives[0][0] == "<p>html</p>"


def queued(**fields: Any) -> OutgoingEmail:
    return OutgoingEmail.objects.create(to=["a@example.com"], subject="s", body="b", **fields)


def test_an_email_another_worker_holds_is_not_sent(mailoutbox):
    email = queued(attempts=1, due=timezone.now() + timedelta(minutes=5))  # its lease

    assert emails.deliver(email.pk) is False
    assert emails.send_pending() == 0
    assert mailoutbox == []


def test_a_crashed_workers_claim_runs_out(mailoutbox):
    email = queued(attempts=1, due=timezone.now() - timedelta(seconds=1))

    assert emails.deliver(email.pk) is True
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.attempts == 2 and email.sent_at is not None


def test_failures_back_off(mailoutbox, mail_server_down):
    email = queued()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert emails.deliver(email.pk) is False
    email.refresh_from_db()
    assert email.attempts == 1 and "connection refused" in email.last_error
    assert email.due == start + timedelta(minutes=1)
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        assert emails.send_pending() == 0  # failed again
    email.refresh_from_db()
    assert email.attempts == 2 and email.due == start + timedelta(minutes=3)


def test_a_sent_email_is_not_sent_again(mailoutbox):
    email = queued(sent_at=timezone.now())
    assert emails.deliver(email.pk) is False
    assert mailoutbox == []


def test_gives_up_after_max_attempts_unless_asked(mailoutbox, settings):
    settings.SHOP_ACCOUNTS = {"EMAIL_MAX_ATTEMPTS": 3}
    queued(attempts=3)
    retried = queued(attempts=2)

    assert emails.send_pending() == 1
    assert len(mailoutbox) == 1 and OutgoingEmail.objects.get(pk=retried.pk).sent_at
    call_command("send_pending_emails", "--include-failed", stdout=StringIO())
    assert len(mailoutbox) == 2
