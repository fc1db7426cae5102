"""Notifications: queued after commit through the tasks API; the notifier is a hook."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings

from shop_orders import services

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
