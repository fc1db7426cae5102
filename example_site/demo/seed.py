"""Demo data of the reference site. Every function is idempotent: it looks
for what it would create and leaves existing rows alone.

``load_demo()`` loads all of it (``manage.py demo_data``); ``load_demo(lean=True)``
is the site tests' smaller variant: the first shop only, no pictures, a tenth
of the year's orders (the full load is tested on its own in test_demo_data).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test.utils import override_settings

from shop_accounts.services import assign_role, create_user, seed_roles, set_company_verified

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "shop-demo-2026"

DEMO_USERS = [
    {"email": "admin@example.com", "roles": ["manager"], "staff": True},
    {"email": "customer@example.com", "roles": ["customer"], "staff": False},
    {"email": "b2b@example.com", "roles": ["customer"], "staff": False},
    {"email": "elena@example.com", "roles": ["customer"], "staff": False},
    {"email": "ivan@example.com", "roles": ["customer"], "staff": False},
    {"email": "supplier@example.com", "roles": ["supplier"], "staff": False},
    {"email": "technopark@example.com", "roles": ["supplier"], "staff": False},
    {"email": "electrodom@example.com", "roles": ["supplier"], "staff": False},
    {"email": "gadgets@example.com", "roles": ["supplier"], "staff": False},
    {"email": "specialist@example.com", "roles": ["specialist"], "staff": False},
    {"email": "masseur@example.com", "roles": ["specialist"], "staff": False},
]


def seed_accounts() -> dict[str, object]:
    """Roles and the demo users; returns users by e-mail."""
    seed_roles()
    user_model = get_user_model()
    users = {}
    hashed = None
    for spec in DEMO_USERS:
        user = user_model._default_manager.filter(email=spec["email"]).first()
        if user is None:
            user = create_user(
                email=spec["email"],
                password=None,
                is_staff=spec["staff"],
                is_superuser=spec["staff"],
            )
            # hashed once for all: a hash takes about a second by design
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
            user.save(update_fields=["password"])
        for role in spec["roles"]:
            assign_role(user, role)
        users[spec["email"]] = user
    b2b = users["b2b@example.com"].shop_profile
    if not b2b.company_verified:
        b2b.customer_kind = b2b.CustomerKind.B2B
        b2b.company_name = "ООО «Ромашка»"
        b2b.tax_number = "7707083893"
        b2b.full_name = "Ирина Петрова"
        b2b.save()
        set_company_verified(profile=b2b, verified=True, by=users["admin@example.com"])
    return users


def seed_bookings(users: dict[str, object]) -> None:
    """Two specialists (Moscow, Berlin) with services, hours and a month of bookings:
    the past two weeks' completed or no-show, the next two weeks' ahead."""
    from shop_bookings.demo import create_demo_data

    create_demo_data(
        specialist_users=[users["specialist@example.com"], users["masseur@example.com"]],
        clients=[
            users[email]
            for email in ("customer@example.com", "b2b@example.com", *DEMO_CUSTOMERS[1:])
        ],
        bookings=6,
        past_bookings=8,
    )


DEMO_SHOPS = [
    # name, website, owner, price list
    ("Связной", "https://www.svyaznoy.ru", "supplier@example.com", "pricelist-svyaznoy.yaml"),
    (
        "ТехноПарк",
        "https://technopark.example.com",
        "technopark@example.com",
        "pricelist-technopark.yaml",
    ),
    (
        "ЭлектроДом",
        "https://electrodom.example.com",
        "electrodom@example.com",
        "pricelist-electrodom.yaml",
    ),
    (
        "Гаджет Маркет",
        "https://gadgets.example.com",
        "gadgets@example.com",
        "pricelist-gadget-market.yaml",
    ),
]


def seed_catalog(users: dict[str, object], *, lean: bool = False) -> dict[str, str]:
    """The shops' price lists, uploaded by their owners as a supplier would
    (each upload is an import job); then a picture for every product (lean:
    the first shop, no pictures)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shop_catalog.models import Shop
    from shop_catalog.services import submit_import

    outcome = {}
    for name, url, owner, filename in DEMO_SHOPS[:1] if lean else DEMO_SHOPS:
        shop, _created = Shop.objects.get_or_create(
            name=name, defaults={"url": url, "owner": users[owner]}
        )
        if shop.offers.exists():  # loaded before; a re-import would reset stock
            continue
        upload = SimpleUploadedFile(filename, (DATA_DIR / filename).read_bytes())
        job, _queued = submit_import(shop=shop, user=users[owner], fmt="yaml", upload=upload)
        outcome[name] = job.status
    if not lean:
        seed_images()
    return outcome


def seed_images() -> int:
    """A generated picture (``images.product_picture``) for each product without one."""
    from django.core.files.base import ContentFile

    from shop_catalog.models import Product, ProductImage

    from .images import product_picture

    made = 0
    for product in Product.objects.filter(images__isnull=True).select_related("category"):
        picture = ContentFile(product_picture(product.name, product.category.name))
        image = ProductImage(product=product, alt=product.name)
        image.image.save(f"demo-{product.pk}.jpg", picture, save=False)
        image.save()
        made += 1
    return made


DEMO_CUSTOMERS = ["customer@example.com", "elena@example.com", "ivan@example.com"]
DEMO_ADDRESSES = [
    {
        "recipient": "Мария Иванова",
        "phone": "+79161234567",
        "city": "Москва",
        "street": "ул. Тверская",
        "building": "1",
        "postal_code": "125009",
    },
    {
        "recipient": "Елена Кузнецова",
        "phone": "+79035550123",
        "city": "Санкт-Петербург",
        "street": "Литейный пр.",
        "building": "24",
        "apartment": "8",
        "postal_code": "191028",
    },
    {
        "recipient": "Иван Соколов",
        "phone": "+79265554433",
        "city": "Казань",
        "street": "ул. Баумана",
        "building": "15",
        "postal_code": "420111",
    },
]
ORDERS = 60  # over the past year
DELIVERED = ["confirmed", "assembled", "sent", "delivered"]


@dataclass(frozen=True)
class PlannedOrder:
    key: str
    customer: str
    address: dict[str, str]
    placed: datetime
    lines: list[tuple[int, int]]  # (offer id, quantity)
    moves: list[str]


def _moves(age: timedelta, rnd: random.Random) -> list[str]:
    """Where an order of this age stands: old ones delivered or (some) canceled."""
    if age > timedelta(days=21):
        if rnd.random() < 0.15:
            return rnd.choice([["canceled"], ["confirmed", "canceled"]])
        return DELIVERED
    if age > timedelta(days=3):
        return DELIVERED[: rnd.randint(1, 4)]
    return DELIVERED[: rnd.randint(0, 1)]


def plan_orders(offer_ids: list[int], now: datetime, count: int = ORDERS) -> list[PlannedOrder]:
    """The same plan every run (a fixed seed), oldest first, so numbers grow with dates."""
    rnd = random.Random(2026)
    # more of them lately, as in a growing shop
    ages = sorted((timedelta(days=364 * rnd.random() ** 1.6) for _ in range(count)), reverse=True)
    plan = []
    for n, age in enumerate(ages):
        placed = (now - age).replace(hour=rnd.randint(6, 18), minute=rnd.randint(0, 59))
        # the first demo login gets a few (its cabinet's order list stays one page)
        customer = 0 if n % 10 == 0 else 1 + n % (len(DEMO_CUSTOMERS) - 1)
        picked = rnd.sample(offer_ids, min(len(offer_ids), rnd.randint(1, 2)))
        plan.append(
            PlannedOrder(
                key=f"demo-order-{n:03d}",
                customer=DEMO_CUSTOMERS[customer],
                address=DEMO_ADDRESSES[customer],
                placed=min(placed, now),
                lines=[(offer_id, rnd.randint(1, 2)) for offer_id in picked],
                moves=_moves(age, rnd),
            )
        )
    return plan


def backdate_order(order: Any, placed: datetime, now: datetime) -> None:
    """Date an order (and its status history) back to ``placed`` and number it by
    that date (``number_order``): no service places orders in the past."""
    from shop_orders.models import Order, StatusChange
    from shop_orders.services import number_order

    order.created = placed
    number_order(order)
    changes = list(StatusChange.objects.filter(order=order).order_by("pk"))
    step = min(timedelta(days=1), (now - placed) / (len(changes) + 1))
    for n, change in enumerate(changes):
        change.created = placed + step * n
    StatusChange.objects.bulk_update(changes, ["created"])
    last = changes[-1].created if changes else placed
    Order.objects.filter(pk=order.pk).update(created=placed, updated=last)


def seed_orders(users: dict[str, object], *, count: int = ORDERS) -> int:
    """A year of orders of the demo customers, through the cart, checkout and
    status moves (stock, snapshots and history are real), then dated back.
    Idempotency keys make a second run find them instead of placing new ones."""
    from django.db import transaction
    from django.utils import timezone

    from shop_catalog.selectors import orderable_offers
    from shop_orders import services

    now = timezone.now()
    offer_ids = list(
        orderable_offers().filter(quantity__gte=10).order_by("pk").values_list("pk", flat=True)
    )
    placed = 0
    for planned in plan_orders(offer_ids, now, count) if offer_ids else []:
        customer = users[planned.customer]
        if services.replayed_order(user=customer, idempotency_key=planned.key) is not None:
            continue
        with transaction.atomic():
            services.clear_cart(user=customer)
            for offer_id, quantity in planned.lines:
                services.add_line(user=customer, offer_id=offer_id, quantity=quantity)
            order = services.checkout(
                user=customer, address=planned.address, idempotency_key=planned.key
            ).order
            for status in planned.moves:
                for part in order.parts.all():
                    services.move_part(part=part, to_status=status, comment="demo data")
            backdate_order(order, planned.placed, now)
        placed += 1
    return placed


@contextmanager
def without_notifications() -> Iterator[None]:
    """Demo orders and bookings are made up: placed with the packages' notifiers off
    (no mail to the demo addresses, no outbox rows; it also keeps the load fast)."""
    off = {
        name: {**getattr(settings, name, {}), "NOTIFIER": None}
        for name in ("SHOP_ORDERS", "SHOP_BOOKINGS")
    }
    with override_settings(**off):
        yield


def seed_cabinet(users: dict[str, object]) -> None:
    """Addresses and favourites; a verified B2B customer with a year of orders."""
    from shop_cabinet.demo import create_demo_data

    create_demo_data(
        customers=[users["customer@example.com"]], b2b_customer=users["b2b@example.com"]
    )


def load_demo(*, lean: bool = False) -> dict[str, object]:
    """Every installed package's demo data; returns the demo users by e-mail."""
    users = seed_accounts()
    if apps.is_installed("shop_catalog"):
        seed_catalog(users, lean=lean)
    with without_notifications():
        if apps.is_installed("shop_orders"):
            seed_orders(users, count=ORDERS // 10 if lean else ORDERS)
        if apps.is_installed("shop_cabinet"):
            seed_cabinet(users)
        if apps.is_installed("shop_bookings"):
            seed_bookings(users)
    return users
