"""Receivers of this app's own signals: write the notifications in the same transaction,
hand them to the task after the commit; and of ``erasing_personal_data`` (shop_core).

``on_commit(robust=True)``: a task backend that is down is logged, never a
500; the rows wait for ``send_due_notifications``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from shop_core.signals import erasing_personal_data

from . import tasks
from .models import Notification
from .services.notifications import queue_order_placed, queue_status_changed
from .services.privacy import erase_personal_data
from .signals import order_placed, order_status_changed


def _send_after_commit(rows: list[Notification]) -> None:
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: tasks.enqueue_notifications(ids), robust=True)


@receiver(order_placed, dispatch_uid="shop_orders.notify_order_placed")
def notify_order_placed(sender: Any, order: Any, **kwargs: Any) -> None:
    _send_after_commit(queue_order_placed(order))


@receiver(order_status_changed, dispatch_uid="shop_orders.notify_status_changed")
def notify_status_changed(sender: Any, change: Any, **kwargs: Any) -> None:
    _send_after_commit(queue_status_changed(change))


@receiver(erasing_personal_data, dispatch_uid="shop_orders.erase_personal_data")
def erase_orders_personal_data(sender: Any, user: Any, **kwargs: Any) -> None:
    erase_personal_data(user=user)
