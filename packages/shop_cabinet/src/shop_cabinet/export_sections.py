"""The personal-data export sections the cabinet itself provides.

The optional apps are read only when installed (``apps.is_installed``), and
only through what they make public: shop_accounts' ``Profile`` model,
shop_bookings' ``bookings_visible_to`` selector.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps

from . import export, selectors
from .conf import app_settings

# What a client knows of a booking (shop_bookings' public ``Booking``).
BOOKING_FIELDS = ("start", "end", "status", "price", "comment", "created_at")


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
    """The ``shop_accounts`` profile (its public model ``Profile``, every field but
    ``id`` and ``user``), when that app is installed."""
    if not apps.is_installed("shop_accounts"):
        return None
    profile_model = apps.get_model("shop_accounts", "Profile")
    profile = profile_model._default_manager.filter(user=user).first()
    if profile is None:
        return {}
    return export.instance_data(profile, exclude=("id", "user"))


@export.register("addresses")
def addresses_section(user: Any) -> list[dict[str, Any]]:
    return [
        {"kind": a.kind, **a.snapshot(), "is_default": a.is_default, "created": a.created}
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
    """The user's bookings as a client, when ``shop_bookings`` is installed: read
    through its public selector ``bookings_visible_to``, with the fields a
    client sees (not the internal columns: blocked ranges, idempotency keys)."""
    if not apps.is_installed("shop_bookings"):
        return None
    from shop_bookings.selectors import bookings_visible_to

    bookings = bookings_visible_to(user).filter(client=user).order_by("start", "pk")
    return [
        {
            "id": booking.pk,
            "service": booking.service_name,
            "specialist": str(booking.specialist),
            **{name: getattr(booking, name) for name in BOOKING_FIELDS},
        }
        for booking in bookings
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
