"""The personal-data export sections the cabinet itself provides.

Apps the cabinet may not import (``shop_accounts``, ``shop_bookings``) are read
generically through ``apps.get_model`` when installed.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

from . import export, selectors
from .conf import app_settings


@export.register("account")
def account_section(user: Any) -> dict[str, Any]:
    """The user model's own fields, whatever the user model is (no password)."""
    exclude = tuple(app_settings.EXPORT_USER_EXCLUDE_FIELDS)
    data = export.instance_data(user, exclude=exclude)
    if "groups" not in exclude and hasattr(user, "groups"):
        data["groups"] = sorted(user.groups.values_list("name", flat=True))
    return data


@export.register("profile")
def profile_section(user: Any) -> dict[str, Any] | None:
    """The ``shop_accounts`` profile, when that app is installed."""
    if not apps.is_installed("shop_accounts"):
        return None
    profile_model = apps.get_model("shop_accounts", "Profile")
    profile = profile_model._default_manager.filter(user_id=user.pk).first()
    if profile is None:
        return {}
    return export.instance_data(profile, exclude=("id", "user"))


@export.register("addresses")
def addresses_section(user: Any) -> list[dict[str, Any]]:
    return [
        {**a.snapshot(), "is_default": a.is_default, "created": a.created}
        for a in selectors.addresses_of(user)
    ]


@export.register("favourites")
def favourites_section(user: Any) -> list[dict[str, Any]]:
    return [
        {"product_id": f.product_id, "product": f.product.name, "added": f.created}
        for f in selectors.favourites_of(user)
    ]


@export.register("bookings")
def bookings_section(user: Any) -> list[dict[str, Any]] | None:
    """The user's bookings as a client, when ``shop_bookings`` is installed."""
    if not apps.is_installed("shop_bookings"):
        return None
    booking_model = apps.get_model("shop_bookings", "Booking")
    exclude = ("client", "idempotency_key", "blocked_start", "blocked_end")
    return [
        export.instance_data(booking, exclude=exclude)
        for booking in booking_model._default_manager.filter(client_id=user.pk).order_by("start")
    ]


@export.register("orders")
def orders_section(user: Any) -> list[dict[str, Any]]:
    """The user's orders with address snapshot and lines (``shop_orders.selectors``)."""
    return [
        {
            "id": order.pk,
            "number": order.number,
            "status": order.status,
            "created": order.created,
            "total": order.total,
            "email": order.email,
            "comment": order.comment,
            "address": order.address,
            "lines": [
                {
                    "product_name": line.product_name,
                    "model": line.model,
                    "shop_name": line.shop_name,
                    "unit_price": line.unit_price,
                    "quantity": line.quantity,
                }
                for part in order.parts.all()
                for line in part.lines.all()
            ],
        }
        for order in selectors.order_history(user).order_by("created", "pk")
    ]
