"""Plain factory functions for the tests."""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model

from shop_catalog.models import Category, Offer, OfferParameter, Parameter, Product, Shop

DATA = Path(__file__).parent / "data"
_seq = itertools.count(1)


def user(username: str | None = None, **kwargs):
    """A user of ``AUTH_USER_MODEL`` (the stock one, or ``tests.custom_user.Account``)."""
    model = get_user_model()
    login = {model.USERNAME_FIELD: username or f"user{next(_seq)}"}
    return model.objects.create_user(**login, password="pw", **kwargs)


def shop(name: str | None = None, owner=None, **kwargs) -> Shop:
    return Shop.objects.create(name=name or f"Shop {next(_seq)}", owner=owner, **kwargs)


def category(name: str | None = None, parent: Category | None = None, **kwargs) -> Category:
    n = next(_seq)
    return Category.objects.create(
        name=name or f"Category {n}", slug=f"category-{n}", parent=parent, **kwargs
    )


def product(name: str | None = None, category_obj: Category | None = None, **kwargs) -> Product:
    return Product.objects.create(
        name=name or f"Product {next(_seq)}", category=category_obj or category(), **kwargs
    )


def offer(
    product_obj: Product | None = None,
    shop_obj: Shop | None = None,
    price: str | Decimal = "100.00",
    quantity: int = 5,
    parameters: dict[str, str] | None = None,
    **kwargs,
) -> Offer:
    o = Offer.objects.create(
        product=product_obj or product(),
        shop=shop_obj or shop(),
        external_id=kwargs.pop("external_id", str(next(_seq))),
        price=Decimal(str(price)),
        quantity=quantity,
        **kwargs,
    )
    for name, value in (parameters or {}).items():
        param, _ = Parameter.objects.get_or_create(name=name)
        OfferParameter.objects.create(offer=o, parameter=param, value=value)
    return o


def sample_bytes() -> bytes:
    return (DATA / "pricelist-small.yaml").read_bytes()
