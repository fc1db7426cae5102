"""Signals sent by shop_orders (both inside the writing transaction).

``order_placed(sender=Order, order, user)``: after checkout created
``order`` with its parts and lines.

``order_status_changed(sender=Order, order, part, change, from_status,
to_status, by)``: after one order part moved; ``change`` is the recorded
``StatusChange``, ``by`` the acting user (or None). ``order.status`` is
already the recomputed overall status.

Receivers that talk to the outside world should defer their work with
``transaction.on_commit`` (as this package's notification receivers do).
"""

from django.dispatch import Signal

order_placed = Signal()
order_status_changed = Signal()
