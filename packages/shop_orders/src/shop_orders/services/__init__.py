"""Services: the use cases that write (cart, checkout, status moves)."""

from .cart import add_line, add_offer, change_line, clear_cart, get_cart, remove_line
from .checkout import CheckoutResult, checkout, number_order, replayed_order, resolve_address
from .external import ExternalItem, cancel_external, order_external_items
from .status import (
    allowed_targets,
    can_cancel,
    cancel_order,
    customer_can_cancel,
    move_part,
    overall_status,
)

__all__ = [
    "CheckoutResult",
    "ExternalItem",
    "add_line",
    "add_offer",
    "allowed_targets",
    "can_cancel",
    "cancel_external",
    "cancel_order",
    "customer_can_cancel",
    "change_line",
    "checkout",
    "clear_cart",
    "get_cart",
    "move_part",
    "number_order",
    "order_external_items",
    "overall_status",
    "remove_line",
    "replayed_order",
    "resolve_address",
]
