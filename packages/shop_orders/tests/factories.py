"""Plain factory functions for the tests."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from shop_catalog.models import Category, Offer, Product, Shop

_seq = itertools.count(1)

ADDRESS = {
    "recipient": "Ivan Petrov",
    "phone": "+7 900 123-45-67",
    "city": "Moscow",
    "street": "Tverskaya",
    "building": "1",
    "apartment": "10",
    "postal_code": "125009",
}


def user(username: str | None = None, **kwargs: Any):
    """A user of whatever model is installed, with ``<username>@example.com`` in its
    e-mail field (``tests.settings_custom_user`` names both fields differently)."""
    model = get_user_model()
    username = username or f"user{next(_seq)}"
    kwargs.setdefault(model.get_email_field_name(), f"{username}@example.com")
    return model.objects.create_user(**{model.USERNAME_FIELD: username}, password="pw", **kwargs)


def shop(name: str | None = None, owner: Any = None, **kwargs: Any) -> Shop:
    return Shop.objects.create(name=name or f"Shop {next(_seq)}", owner=owner, **kwargs)


def offer(
    *,
    shop_obj: Shop | None = None,
    price: str | Decimal = "100.00",
    quantity: int = 10,
    name: str | None = None,
    **kwargs: Any,
) -> Offer:
    n = next(_seq)
    category = Category.objects.create(name=f"Category {n}", slug=f"category-{n}")
    product = Product.objects.create(name=name or f"Product {n}", category=category)
    return Offer.objects.create(
        product=product,
        shop=shop_obj or shop(),
        external_id=str(n),
        model=f"M-{n}",
        price=Decimal(str(price)),
        quantity=quantity,
        **kwargs,
    )


def place_order(customer: Any, offers_quantities: list[tuple[Offer, int]], **kwargs: Any):
    """Fill the cart and check out through the services; returns the order."""
    from shop_orders import services

    for offer_obj, quantity in offers_quantities:
        services.add_line(user=customer, offer_id=offer_obj.pk, quantity=quantity)
    return services.checkout(user=customer, address=dict(ADDRESS), **kwargs).order
