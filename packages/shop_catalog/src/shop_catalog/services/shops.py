"""A supplier's switches on its shop, and the lock every writer of a shop's offers takes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from ..catalogue import catalogue_changed
from ..models import Shop
from ..signals import shop_accepts_orders_changed


@contextmanager
def shop_locked(shop: Shop) -> Iterator[None]:
    """A transaction holding ``shop``'s row lock: writes to a shop's offers run one at a time.

    Every writer of offers in this package takes it (the import, the supplier
    API), so an import never interleaves with an edit of the same shop's offers.
    """
    with transaction.atomic():
        list(Shop.objects.select_for_update(no_key=True).filter(pk=shop.pk).values_list("pk"))
        yield


def set_accepts_orders(*, shop: Shop, accepts_orders: bool, user: Any = None) -> Shop:
    """Stop or resume taking orders; sends ``shop_accepts_orders_changed`` on a change.

    One conditional UPDATE: of two requests switching the same way, one changes
    the row and sends the signal (after the commit).
    """
    with transaction.atomic():
        changed = (
            Shop.objects.filter(pk=shop.pk)
            .exclude(accepts_orders=accepts_orders)
            .update(accepts_orders=accepts_orders)
        )
        shop.accepts_orders = accepts_orders
        if changed:
            catalogue_changed()  # an UPDATE sends no signal (it did refresh Product.min_price)
            transaction.on_commit(
                lambda: shop_accepts_orders_changed.send(
                    sender=Shop, shop=shop, user=user, accepts_orders=accepts_orders
                )
            )
    return shop
