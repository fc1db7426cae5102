"""Favourites: a product at most once per user, whatever the number of concurrent adds.

The unique constraint ``shop_cabinet_favourite_unique_product`` decides: the
loser of two simultaneous adds reads the winner's row. ``favourites_changed``
is sent after the commit of a real change.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from ..exceptions import ProductGone
from ..models import Favourite
from ..signals import favourites_changed


def _announce(user: Any, product: Any) -> None:
    transaction.on_commit(
        lambda: favourites_changed.send(sender=Favourite, user=user, product=product),
        robust=True,
    )


def add_favourite(*, user: Any, product: Any) -> tuple[Favourite, bool]:
    """Add a product to the user's favourites; ``(favourite, created)``.

    Adding twice, even at the same moment, leaves one row. Raises
    ``ProductGone`` (code ``does_not_exist`` on ``product_id``) if the product
    was deleted meanwhile.
    """
    try:
        with transaction.atomic():
            favourite, created = Favourite.objects.get_or_create(user=user, product=product)
    except IntegrityError:  # a concurrent add won, or the product is gone (deferred FK)
        favourite = Favourite.objects.filter(user=user, product=product).first()
        if favourite is None:
            raise ProductGone() from None
        created = False
    if created:
        _announce(user, product)
    return favourite, created


def remove_favourite(*, user: Any, product_id: int) -> bool:
    """Remove a product from the user's favourites; False if it was not there."""
    with transaction.atomic():
        deleted, _count = Favourite.objects.filter(user=user, product_id=product_id).delete()
    if deleted:
        _announce(user, None)
    return bool(deleted)
