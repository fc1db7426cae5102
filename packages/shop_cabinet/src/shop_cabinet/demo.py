"""Demo data for a reference site: addresses, favourites and a year of orders.

``create_demo_data`` is idempotent: run it again and it finds what it made
(addresses by recipient, favourites by product, orders by idempotency key)
instead of making more. Orders go through shop_orders' own services (cart,
checkout, status moves), so stock, snapshots and signals are real; only the
placing date (with the number that carries it, and the status history) is
moved back afterwards, which no service offers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from shop_catalog.models import Offer, Product
from shop_orders import services as order_services
from shop_orders.models import Order, StatusChange
from shop_orders.services.checkout import number_order

from . import services
from .hooks import resolve_address
from .models import Address

DEMO_ADDRESSES = [
    {
        "kind": "shipping",
        "recipient": "Анна Смирнова",
        "phone": "+7 495 123-45-67",
        "city": "Москва",
        "street": "ул. Тверская",
        "building": "7",
        "apartment": "15",
        "postal_code": "125009",
    },
    {
        "kind": "shipping",
        "recipient": "Анна Смирнова (дача)",
        "phone": "+7 495 123-45-67",
        "city": "Истра",
        "street": "ул. Лесная",
        "building": "3",
        "apartment": "",
        "postal_code": "143500",
    },
]
DEMO_LEGAL_ADDRESS = {
    "kind": "legal",
    "recipient": "ООО «Ромашка»",
    "phone": "+7 812 555-00-11",
    "city": "Санкт-Петербург",
    "street": "Невский пр.",
    "building": "28",
    "apartment": "офис 4",
    "postal_code": "191186",
}
# The order of a month that has passed moves along the whole pipeline.
DELIVERED_PATH = ["confirmed", "assembled", "sent", "delivered"]


def ensure_addresses(user: Any, specs: Iterable[dict[str, str]]) -> list[Address]:
    result = []
    for spec in specs:
        existing = Address.objects.filter(
            user_id=user.pk, kind=spec["kind"], recipient=spec["recipient"]
        ).first()
        result.append(existing or services.create_address(user=user, **spec))
    return result


def ensure_favourites(user: Any, products: Iterable[Product]) -> None:
    for product in products:
        services.add_favourite(user=user, product=product)


def _mid_month(back: int) -> datetime:
    """Noon on the 15th of the month ``back`` months before this one (site's time zone)."""
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - back
    return timezone.make_aware(datetime(index // 12, index % 12 + 1, 15, 12))


def _place_month_order(user: Any, *, offers: list[Offer], address: Address, back: int) -> Order:
    """The order of ``back`` months ago, through the cart and checkout; a past
    month's order is delivered and dated on that month's 15th."""
    key = f"demo-cabinet-{back}"
    order = order_services.replayed_order(user=user, idempotency_key=key)
    if order is not None:
        return order
    with transaction.atomic():
        order_services.clear_cart(user=user)
        for offer in (offers[back % len(offers)], offers[(back + 1) % len(offers)]):
            order_services.add_line(user=user, offer_id=offer.pk, quantity=1 + back % 2)
        order = order_services.checkout(
            user=user,
            address=resolve_address(user, address.pk),
            comment="Demo order",
            idempotency_key=key,
        ).order
        if back:
            for part in order.parts.all():
                for status in DELIVERED_PATH:
                    order_services.move_part(part=part, to_status=status)
            _date_back(order, _mid_month(back))
    return order


def _date_back(order: Order, when: datetime) -> None:
    """Place ``order`` at ``when``: its date, its number (which carries the date,
    ``number_order``) and its status history, one step a day."""
    order.created = when
    number_order(order)
    changes = list(StatusChange.objects.filter(order=order).order_by("pk"))
    for step, change in enumerate(changes):
        change.created = when + timedelta(days=step)
    StatusChange.objects.bulk_update(changes, ["created"])
    Order.objects.filter(pk=order.pk).update(created=when)


def ensure_monthly_orders(user: Any, *, address: Address, months: int = 12) -> list[Order]:
    """One order a month for ``months`` months (this month's still open), placed
    through the cart and checkout; returns the orders (existing ones included)."""
    offers = list(
        Offer.objects.filter(is_active=True, shop__accepts_orders=True, quantity__gte=20)
        .select_related("product")
        .order_by("pk")[:6]
    )
    if not offers:
        return []
    return [
        _place_month_order(user, offers=offers, address=address, back=back)
        for back in range(months - 1, -1, -1)
    ]


def create_demo_data(
    *, customers: Iterable[Any], b2b_customer: Any = None, months: int = 12
) -> None:
    """Addresses and favourites for every customer; for ``b2b_customer`` also a
    legal address and one order a month for ``months`` months."""
    products = list(Product.objects.filter(is_active=True).order_by("pk")[:3])
    for customer in customers:
        ensure_addresses(customer, DEMO_ADDRESSES)
        ensure_favourites(customer, products)
    if b2b_customer is not None:
        shipping = ensure_addresses(b2b_customer, [*DEMO_ADDRESSES, DEMO_LEGAL_ADDRESS])[0]
        ensure_favourites(b2b_customer, products)
        ensure_monthly_orders(b2b_customer, address=shipping, months=months)
