"""Background work: notifications, run through the Django tasks API."""

from __future__ import annotations

from django.db.models import Prefetch

try:  # Django >= 6.0
    from django.tasks import task
except ImportError:  # the django-tasks backport
    from django_tasks import task

from .conf import app_settings
from .models import Order, OrderLine, OrderPart, StatusChange


@task()
def notify_order_placed(order_id: int) -> None:
    """Tell the customer and every supplier of the order about it."""
    notifier_class = app_settings.NOTIFIER
    if notifier_class is None:
        return
    parts = OrderPart.objects.select_related("shop__owner", "order").prefetch_related(
        "shop__staff", Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
    )
    order = Order.objects.prefetch_related(Prefetch("parts", queryset=parts)).filter(pk=order_id)
    order = order.first()
    if order is None:
        return
    notifier = notifier_class()
    notifier.order_placed(order)
    for part in order.parts.all():
        notifier.shop_order_placed(part)


@task()
def notify_status_changed(change_id: int) -> None:
    """Tell the customer that a part of their order moved."""
    notifier_class = app_settings.NOTIFIER
    if notifier_class is None:
        return
    change = StatusChange.objects.select_related("order", "part", "by").filter(pk=change_id).first()
    if change is not None:
        notifier_class().status_changed(change)
