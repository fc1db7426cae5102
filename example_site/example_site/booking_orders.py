"""shop_bookings' ORDER_HOOK on ``shop_orders``: a priced booking is paid through an order.

Set ``SHOP_BOOKINGS["ORDER_HOOK"] = "example_site.booking_orders.ShopOrdersHook"``.
It lives in the project, which may import both packages; shop_bookings
never imports shop_orders (the hook is its only way to reach it).

- a priced booking becomes an order of one external line (source
  ``"shop_bookings"``, reference the booking id), made once per booking;
- canceling the booking cancels that order (one canceled already is left
  as it is; one the shop can no longer cancel refuses the cancellation);
- canceling the order (``external_item_canceled``) cancels the booking.
"""

from __future__ import annotations

from typing import Any

from shop_bookings.models import Booking
from shop_bookings.services import cancel_for_order
from shop_orders.exceptions import TransitionError
from shop_orders.services.external import ExternalItem, cancel_external, order_external_items
from shop_orders.signals import external_item_canceled

SOURCE = "shop_bookings"


class ShopOrdersHook:
    """The ORDER_HOOK contract (``shop_bookings.services.payment``) on shop_orders' public API."""

    def booking_created(self, booking: Booking) -> None:
        title = f"{booking.service_name}, {booking.start:%Y-%m-%d %H:%M} UTC"
        item = ExternalItem(
            source=SOURCE, reference=str(booking.pk), title=title, price=booking.price
        )
        order_external_items(booking.client, [item], idempotency_key=f"{SOURCE}:{booking.pk}")

    def booking_canceled(self, booking: Booking, *, by: Any) -> None:
        try:
            cancel_external(SOURCE, str(booking.pk), by=by)
        except TransitionError as error:
            # Its order went first (its signal not delivered yet, or lost): done.
            if error.code != "already_canceled":
                raise

    @classmethod
    def connect(cls) -> None:
        external_item_canceled.connect(_order_canceled, dispatch_uid="shop_bookings.order_canceled")


def _order_canceled(sender: Any, source: str, reference: str, **kwargs: Any) -> None:
    if source != SOURCE:
        return
    booking = Booking.objects.filter(pk=int(reference)).first()
    if booking is not None:
        cancel_for_order(booking=booking)
