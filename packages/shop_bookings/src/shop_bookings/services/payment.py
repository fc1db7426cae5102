"""Paying for bookings through another app (``ORDER_HOOK``), without importing it.

``SHOP_BOOKINGS["ORDER_HOOK"]`` is a dotted path to a class (``None``: no
payment), instantiated without arguments for each call; it is called inside
the booking's transaction, only for a booking with a price above zero:

``booking_created(booking: Booking) -> None``
    A priced booking was made: create what the client pays (an order line).
``booking_canceled(booking: Booking, by: user | None) -> None``
    It was canceled (by a party, by the erasure of the client, or because its
    order was canceled: then undoing the order again must be a no-op).
``connect() -> None`` (a classmethod, optional)
    Called once at start-up (``apps.ready``) when the hook is configured:
    connect the receivers that cancel a booking when its order is canceled
    (``services.cancel_for_order``).

Raising aborts the booking or the cancellation. The hook for
``shop_orders`` lives in the project (the reference site's
``example_site.booking_orders``): this package never imports shop_orders.
"""

from __future__ import annotations

from typing import Any

from ..conf import app_settings
from ..models import Booking


def _hook(booking: Booking) -> Any:
    if app_settings.ORDER_HOOK is None or not booking.price > 0:
        return None
    return app_settings.ORDER_HOOK()


def booking_created(booking: Booking) -> None:
    """Tell the ORDER_HOOK of a new priced booking (in its transaction)."""
    if hook := _hook(booking):
        hook.booking_created(booking)


def booking_canceled(booking: Booking, *, by: Any) -> None:
    """Tell the ORDER_HOOK a priced booking was canceled (in its transaction)."""
    if hook := _hook(booking):
        hook.booking_canceled(booking, by=by)


def connect() -> None:
    """Let a configured ORDER_HOOK connect its receivers (``apps.ready``)."""
    hook = app_settings.ORDER_HOOK
    if hook is not None and hasattr(hook, "connect"):
        hook.connect()
