"""A supplier's own offers, written through the API one at a time.

Each write holds the shop's row lock (``shops.shop_locked``), as an import
does, so the two never interleave. The serializer has checked that the
``external_id`` is free; when another writer took it meanwhile, the unique
constraint refuses the insert, and that is the same ``ExternalIdTaken``.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError

from ..exceptions import ExternalIdTaken
from ..models import Offer, Shop
from ..selectors import external_id_taken
from .shops import shop_locked


def create_offer(*, shop: Shop, product: Any, external_id: str, **values: Any) -> Offer:
    """A new offer of ``shop`` (``values``: model, price, price_rrc, quantity, is_active)."""
    offer = Offer(shop=shop, product=product, external_id=external_id, **values)
    _save(offer)
    return offer


def update_offer(*, offer: Offer, **changes: Any) -> Offer:
    """Change an offer's fields (``changes``); its shop never changes."""
    changes.pop("shop", None)
    for name, value in changes.items():
        setattr(offer, name, value)
    _save(offer)
    return offer


def _save(offer: Offer) -> None:
    try:
        with shop_locked(offer.shop):
            offer.save()
    except IntegrityError:
        if not external_id_taken(offer.shop, offer.external_id, offer):
            raise
        raise ExternalIdTaken from None
