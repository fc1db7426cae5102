import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from shop_core.delivery import LEASE, deliver, deliver_due, retry_delay
from shop_core.testing import run_at_once

from .models import Message

pytestmark = pytest.mark.django_db


def test_sent_once_and_marked_after_the_send():
    message = Message.objects.create(text="hi")
    seen = []

    def send():
        seen.append(Message.objects.get(pk=message.pk).sent_at)

    assert deliver(Message.objects.all(), pk=message.pk, send=send, max_attempts=3) is True
    assert seen == [None]  # not marked before the send
    assert deliver(Message.objects.all(), pk=message.pk, send=send, max_attempts=3) is None
    assert len(seen) == 1
    assert Message.objects.get(pk=message.pk).sent_at is not None


def test_a_failed_send_is_recorded_and_retried_after_a_back_off():
    message = Message.objects.create(text="hi")
    now = timezone.now()

    def fail():
        raise OSError("mail server down")

    assert (
        deliver(Message.objects.all(), pk=message.pk, send=fail, max_attempts=3, now=now) is False
    )
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1
    assert "mail server down" in message.last_error
    assert message.due == now + retry_delay(1)
    # Not due yet, then due.
    assert (
        deliver(Message.objects.all(), pk=message.pk, send=lambda: None, max_attempts=3, now=now)
        is None
    )
    later = now + retry_delay(1)
    assert (
        deliver(Message.objects.all(), pk=message.pk, send=lambda: None, max_attempts=3, now=later)
        is True
    )


def test_gives_up_after_max_attempts():
    message = Message.objects.create(text="hi", attempts=3)
    assert deliver(Message.objects.all(), pk=message.pk, send=lambda: None, max_attempts=3) is None


def test_rows_narrow_what_may_be_sent():
    message = Message.objects.create(text="hi", active=False)
    sent = deliver(
        Message.objects.filter(active=True), pk=message.pk, send=lambda: None, max_attempts=3
    )
    assert sent is None


def test_deliver_due_goes_on_after_a_failure():
    first, second = Message.objects.create(text="a"), Message.objects.create(text="b")
    sent_texts = []

    def send(pk):
        message = Message.objects.get(pk=pk)
        if message.text == "a":
            raise OSError("boom")
        sent_texts.append(message.text)

    assert deliver_due(Message.objects.all(), send=send, max_attempts=3) == (1, 1)
    assert sent_texts == ["b"]
    first.refresh_from_db(), second.refresh_from_db()
    assert first.sent_at is None and second.sent_at is not None


def test_retry_delay_doubles_up_to_the_longest():
    assert retry_delay(1) == dt.timedelta(minutes=1)
    assert retry_delay(3) == dt.timedelta(minutes=4)
    assert retry_delay(50) == dt.timedelta(hours=6)


def test_a_claimed_row_waits_for_its_lease():
    message = Message.objects.create(text="hi")
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(due=now + LEASE, attempts=1)  # another sender
    assert (
        deliver(Message.objects.all(), pk=message.pk, send=lambda: None, max_attempts=3, now=now)
        is None
    )
    assert (
        deliver(
            Message.objects.all(), pk=message.pk, send=lambda: None, max_attempts=3, now=now + LEASE
        )
        is True
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_send_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    message = Message.objects.create(text="hi")
    sends = []
    results = run_at_once(
        [
            lambda: deliver(
                Message.objects.all(), pk=message.pk, send=lambda: sends.append(1), max_attempts=3
            )
            for _ in range(8)
        ]
    )
    assert results.count(True) == 1
    assert len(sends) == 1


def test_outbox_is_an_abstract_base_with_the_four_columns():
    from shop_core.delivery import Outbox

    assert Outbox._meta.abstract
    assert {f.name for f in Outbox._meta.get_fields()} == {
        "due",
        "sent_at",
        "attempts",
        "last_error",
    }
