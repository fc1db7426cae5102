"""Receivers the cabinet connects (in ``apps.ShopCabinetConfig.ready``).

- Changes of what the dashboard shows drop the user's cached dashboard.
- ``export_requested`` queues the background export after the commit
  (``on_commit(robust=True)``: a task queue that is down is logged, never an
  error of the request; the export stays pending and is queued again later).
- ``erasing_personal_data`` (shop_core) deletes the user's addresses,
  favourites and exports.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from shop_core.signals import erasing_personal_data
from shop_orders.signals import order_placed, order_status_changed

from . import tasks
from .models import Address
from .selectors import forget_dashboard
from .services.privacy import erase_personal_data
from .signals import export_requested, favourites_changed


@receiver(order_placed, dispatch_uid="shop_cabinet.order_placed")
@receiver(order_status_changed, dispatch_uid="shop_cabinet.order_status_changed")
def order_changed(sender: Any, order: Any, **kwargs: Any) -> None:
    forget_dashboard(order.user_id)


@receiver(favourites_changed, dispatch_uid="shop_cabinet.favourites_changed")
def favourite_changed(sender: Any, user: Any, **kwargs: Any) -> None:
    forget_dashboard(user.pk)


@receiver(post_save, sender=Address, dispatch_uid="shop_cabinet.address_saved")
@receiver(post_delete, sender=Address, dispatch_uid="shop_cabinet.address_deleted")
def address_changed(sender: Any, instance: Address, **kwargs: Any) -> None:
    forget_dashboard(instance.user_id)


def booking_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_dashboard(getattr(instance, "client_id", None))


if apps.is_installed("shop_bookings"):
    # A lazy sender string: no import of shop_bookings.
    post_save.connect(
        booking_changed, sender="shop_bookings.Booking", dispatch_uid="shop_cabinet.booking"
    )


@receiver(export_requested, dispatch_uid="shop_cabinet.queue_export")
def queue_export(sender: Any, export: Any, **kwargs: Any) -> None:
    export_id = export.pk
    transaction.on_commit(lambda: tasks.enqueue_export(export_id), robust=True)


@receiver(erasing_personal_data, dispatch_uid="shop_cabinet.erase_personal_data")
def erase_cabinet_personal_data(sender: Any, user: Any, **kwargs: Any) -> None:
    erase_personal_data(user=user)
