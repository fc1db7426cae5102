"""Read queries used by the views (and by other packages: see the README)."""

from __future__ import annotations

from typing import Any

from django.db.models import Min, OuterRef, Prefetch, QuerySet, Subquery
from shop_catalog.models import Offer, ProductImage

from .models import Address, Favourite


def addresses_of(user: Any) -> QuerySet[Address]:
    """The user's address book, defaults first within each kind."""
    return Address.objects.filter(user_id=user.pk)


def favourites_of(user: Any) -> QuerySet[Favourite]:
    """The user's favourites, newest first, with the product, its category, its
    images and ``min_price`` (lowest active offer price, or None) loaded:
    a constant number of queries whatever the number of favourites."""
    min_price = (
        Offer.objects.filter(product=OuterRef("product_id"), is_active=True)
        .values("product")
        .annotate(p=Min("price"))
        .values("p")
    )
    return (
        Favourite.objects.filter(user_id=user.pk)
        .select_related("product__category")
        .annotate(min_price=Subquery(min_price))
        .prefetch_related(
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "pk"))
        )
    )
