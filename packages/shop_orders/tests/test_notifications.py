"""Notifications: queued after commit through the tasks API; the notifier is a hook."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from shop_orders import services
from shop_orders.models import Notification
from shop_orders.services.notifications import deliver, deliver_due

from . import factories

pytestmark = pytest.mark.django_db

CALLS: list = []


class RecordingNotifier:
    """A stand-in notifier (SMS, push...) that records what it was asked."""

    def order_placed(self, order):
        CALLS.append(("order_placed", order.number, len(order.parts.all())))

    def shop_order_placed(self, part):
        CALLS.append(
            ("shop_order_placed", part.shop_name, [ln.quantity for ln in part.lines.all()])
        )

    def status_changed(self, change):
        CALLS.append(("status_changed", change.order.number, change.to_status))


@pytest.fixture(autouse=True)
def _clear_calls():
    CALLS.clear()


@override_settings(SHOP_ORDERS={"NOTIFIER": "tests.test_notifications.RecordingNotifier"})
def test_notifier_hook_is_called_after_commit(customer, offer, django_capture_on_commit_callbacks):
    other = factories.offer(quantity=3)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = factories.place_order(customer, [(offer, 2), (other, 1)])
    assert CALLS == []  # nothing is sent before the transaction commits
    for callback in callbacks:
        callback()
    assert CALLS[0] == ("order_placed", order.number, 2)
    assert sorted(c[1:] for c in CALLS[1:]) == sorted([("Svyaznoy", [2]), (other.shop.name, [1])])
    CALLS.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.move_part(part=order.parts.get(shop=offer.shop), to_status="confirmed")
    assert CALLS == [("status_changed", order.number, "confirmed")]


def test_default_email_notifier(customer, offer, shop, django_capture_on_commit_callbacks):
    clerk = factories.user("clerk")
    shop.staff.add(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        order = factories.place_order(customer, [(offer, 1)])
    by_recipients = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipients) == {
        ("alice@example.com",),
        ("clerk@example.com", "supplier@example.com"),
    }
    assert order.number in by_recipients[("alice@example.com",)].subject
    assert "Phone" in by_recipients[("clerk@example.com", "supplier@example.com")].body
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_order(order=order, by=customer)
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert "canceled" in mail.outbox[0].body


@override_settings(SHOP_ORDERS={"NOTIFIER": None})
def test_notifier_none_sends_nothing(customer, offer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        factories.place_order(customer, [(offer, 1)])
    assert callbacks == []
    assert mail.outbox == []


def test_failed_checkout_sends_nothing(customer, offer, django_capture_on_commit_callbacks):
    from shop_orders.exceptions import LinesUnavailable

    services.add_line(user=customer, offer_id=offer.pk, quantity=5)
    offer.quantity = 1
    offer.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(LinesUnavailable):
            services.checkout(user=customer, address=factories.ADDRESS)
    assert callbacks == []
    assert mail.outbox == []


class MailServerDown(BaseEmailBackend):
    """An EMAIL_BACKEND whose server refuses every connection."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


DOWN = "tests.test_notifications.MailServerDown"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def _unsent():
    return list(Notification.objects.filter(sent_at__isnull=True).values_list("event", flat=True))


def test_a_failing_mail_server_never_fails_checkout_or_a_move(
    api, supplier_api, customer, offer, settings, django_capture_on_commit_callbacks
):
    """Checkout, a supplier's move and a cancel all succeed; each message waits for a retry."""
    settings.EMAIL_BACKEND = DOWN
    services.add_line(user=customer, offer_id=offer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        placed = api.post("/api/v1/orders/checkout/", {"address": factories.ADDRESS}, format="json")
    assert placed.status_code == 201, placed.content
    part_id = placed.json()["parts"][0]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        moved = supplier_api.post(
            f"/api/v1/orders/supplier/orders/{part_id}/status/", {"status": "confirmed"}
        )
    assert moved.status_code == 200, moved.content
    with django_capture_on_commit_callbacks(execute=True):
        canceled = api.post(f"/api/v1/orders/orders/{placed.json()['id']}/cancel/")
    assert canceled.status_code == 200, canceled.content
    assert sorted(_unsent()) == [
        "order_placed",
        "shop_order_placed",
        "status_changed",
        "status_changed",
    ]
    row = Notification.objects.first()
    assert row.attempts == 1 and "mail server down" in row.last_error
    assert row.due > timezone.now()  # not before its back-off

    # The server is back: the scheduled run sends each message once, marks it sent.
    settings.EMAIL_BACKEND = LOCMEM
    assert deliver_due() == 0  # nothing is due yet
    later = timezone.now() + dt.timedelta(minutes=5)
    assert deliver_due(now=later) == 4
    assert len(mail.outbox) == 4
    assert _unsent() == []
    assert deliver_due(now=later + dt.timedelta(days=1)) == 0
    assert len(mail.outbox) == 4  # never twice


def test_a_failed_send_backs_off_and_gives_up_after_the_maximum(customer, offer, settings):
    settings.EMAIL_BACKEND = DOWN
    settings.SHOP_ORDERS = {"NOTIFICATION_MAX_ATTEMPTS": 3}
    factories.place_order(customer, [(offer, 1)])  # on_commit never runs here: rows wait
    row = Notification.objects.get(event="order_placed")
    now = timezone.now()
    delays = []
    for _attempt in range(3):
        assert deliver(row.pk, now=now) is False
        row.refresh_from_db()
        delays.append(round((row.due - now).total_seconds() / 60))
        now = row.due
    assert delays == [1, 2, 4]  # minutes, doubling
    assert row.attempts == 3 and row.sent_at is None
    settings.EMAIL_BACKEND = LOCMEM
    assert deliver(row.pk, now=now + dt.timedelta(days=1)) is False  # given up: the admin decides
    assert mail.outbox == []


def test_a_message_is_sent_once_whoever_asks(customer, offer):
    factories.place_order(customer, [(offer, 1)])
    row = Notification.objects.get(event="order_placed")
    assert deliver(row.pk) is True
    assert deliver(row.pk) is False
    assert deliver_due() == 1  # the supplier's message only
    assert len(mail.outbox) == 2
    assert Notification.objects.get(pk=row.pk).sent_at is not None


def test_the_command_sends_what_is_due(customer, offer):
    factories.place_order(customer, [(offer, 1)])
    out = io.StringIO()
    call_command("send_order_notifications", stdout=out)
    assert "2 notification(s) sent." in out.getvalue()
    assert len(mail.outbox) == 2


def test_a_task_backend_that_is_down_never_fails_checkout(
    api, customer, offer, monkeypatch, django_capture_on_commit_callbacks
):
    from shop_orders import tasks

    def broker_down(ids):
        raise ConnectionError("task broker down")

    monkeypatch.setattr(tasks, "enqueue_notifications", broker_down)
    services.add_line(user=customer, offer_id=offer.pk)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/orders/checkout/", {"address": factories.ADDRESS}, format="json"
        )
    assert response.status_code == 201
    assert len(_unsent()) == 2  # the scheduled run sends them
