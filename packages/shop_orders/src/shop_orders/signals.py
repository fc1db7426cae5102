"""Signals sent by shop_orders (the first two inside the writing transaction).

``order_placed(sender=Order, order, user)``: after checkout created
``order`` with its parts and lines.

``order_status_changed(sender=Order, order, part, change, from_status,
to_status, by)``: after one order part moved; ``change`` is the recorded
``StatusChange``, ``by`` the acting user (or None). ``order.status`` is
already the recomputed overall status.

``external_item_canceled(sender=Order, source, reference, order)``: after
the commit, once for each external item (``services.external``) of an
order that became canceled, whichever way: the customer's cancel, a
manager's move, ``cancel_external``. ``order`` is the canceled order.

Receivers that talk to the outside world should defer their work with
``transaction.on_commit`` (as this package's notification receivers do).
"""

from django.dispatch import Signal

order_placed = Signal()
order_status_changed = Signal()
external_item_canceled = Signal()
