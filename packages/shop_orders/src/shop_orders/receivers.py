"""Receivers of this app's own signals: write the notifications in the same transaction."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from .services.notifications import queue_order_placed, queue_status_changed
from .signals import order_placed, order_status_changed


@receiver(order_placed, dispatch_uid="shop_orders.notify_order_placed")
def notify_order_placed(sender: Any, order: Any, **kwargs: Any) -> None:
    queue_order_placed(order)


@receiver(order_status_changed, dispatch_uid="shop_orders.notify_status_changed")
def notify_status_changed(sender: Any, change: Any, **kwargs: Any) -> None:
    queue_status_changed(change)
