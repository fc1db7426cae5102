"""Plain factory functions for the tests."""

from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model

from shop_cabinet import services
from shop_cabinet.models import Address
from shop_catalog.models import Category, Offer, Product, Shop
from shop_orders.models import Order, OrderLine, OrderPart, Status

_seq = itertools.count(1)


def user_fields(username: str) -> dict[str, str]:
    """The user model's own name and e-mail fields (any user model: ``USERNAME_FIELD``,
    ``get_email_field_name()``), set from ``username``."""
    model = get_user_model()
    email = f"{username}@example.com"
    return {model.USERNAME_FIELD: username, model.get_email_field_name(): email}


def user(username: str | None = None, **kwargs: Any) -> Any:
    """A user named ``username`` (``str(user)``) with e-mail ``<username>@example.com``."""
    fields = {**user_fields(username or f"user{next(_seq)}"), **kwargs}
    return get_user_model()._default_manager.create_user(password="pw", **fields)


def shop(name: str | None = None) -> Shop:
    return Shop.objects.create(name=name or f"Shop {next(_seq)}")


def product(name: str | None = None, **kwargs: Any) -> Product:
    n = next(_seq)
    category = kwargs.pop("category", None) or Category.objects.create(
        name=f"Category {n}", slug=f"category-{n}"
    )
    return Product.objects.create(name=name or f"Product {n}", category=category, **kwargs)


def offer(product_obj: Product | None = None, shop_obj: Shop | None = None, **kwargs: Any) -> Offer:
    return Offer.objects.create(
        product=product_obj or product(),
        shop=shop_obj or shop(),
        external_id=str(next(_seq)),
        price=Decimal(str(kwargs.pop("price", "100.00"))),
        quantity=kwargs.pop("quantity", 10),
        **kwargs,
    )


def address(user_obj: Any, **kwargs: Any) -> Address:
    fields = {
        "kind": "shipping",
        "recipient": "Ivan Petrov",
        "phone": "+7 495 123-45-67",
        "city": "Moscow",
        "street": "Tverskaya",
        "building": "1",
        "apartment": "10",
        "postal_code": "101000",
    }
    fields.update(kwargs)
    return services.create_address(user=user_obj, **fields)


def order(
    user_obj: Any,
    *,
    offers: list[Offer],
    status: str = Status.NEW,
    created: datetime | None = None,
    quantity: int = 1,
) -> Order:
    """An order of ``offers`` (one line each) written directly, as checkout would leave it."""
    total = sum((o.price * quantity for o in offers), Decimal("0.00"))
    placed = Order.objects.create(
        user=user_obj,
        status=status,
        recipient="Ivan Petrov",
        phone="+74951234567",
        city="Moscow",
        street="Tverskaya",
        building="1",
        postal_code="101000",
        total=total,
    )
    if created is not None:
        Order.objects.filter(pk=placed.pk).update(created=created)
        placed.created = created
    parts: dict[int, OrderPart] = {}
    for o in offers:
        if o.shop_id not in parts:
            parts[o.shop_id] = OrderPart.objects.create(
                order=placed, shop=o.shop, shop_name=o.shop.name, status=status, total=0
            )
        part = parts[o.shop_id]
        OrderLine.objects.create(
            order=placed,
            part=part,
            offer=o,
            product_name=o.product.name,
            shop_name=o.shop.name,
            unit_price=o.price,
            quantity=quantity,
        )
        part.total += o.price * quantity
        part.save(update_fields=["total"])
    return placed
