"""Receivers of this app's own signals: queue the notifications after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from .conf import app_settings
from .signals import order_placed, order_status_changed
from .tasks import notify_order_placed, notify_status_changed


def _enqueue(task: Any, *args: Any) -> None:
    task.using(backend=app_settings.TASK_BACKEND).enqueue(*args)


@receiver(order_placed, dispatch_uid="shop_orders.notify_order_placed")
def queue_order_placed(sender: Any, order: Any, **kwargs: Any) -> None:
    if app_settings.NOTIFIER is not None:
        transaction.on_commit(lambda: _enqueue(notify_order_placed, order.pk))


@receiver(order_status_changed, dispatch_uid="shop_orders.notify_status_changed")
def queue_status_changed(sender: Any, change: Any, **kwargs: Any) -> None:
    if app_settings.NOTIFIER is not None:
        transaction.on_commit(lambda: _enqueue(notify_status_changed, change.pk))
