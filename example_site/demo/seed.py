"""Demo data of the reference site. Every function is idempotent: it looks
for what it would create and leaves existing rows alone."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model

from shop_accounts.services import assign_role, create_user, seed_roles, set_company_verified

DATA_DIR = Path(__file__).resolve().parent / "data"
DEMO_PASSWORD = "shop-demo-2026"

DEMO_USERS = [
    {"email": "admin@example.com", "roles": ["manager"], "staff": True},
    {"email": "customer@example.com", "roles": ["customer"], "staff": False},
    {"email": "b2b@example.com", "roles": ["customer"], "staff": False},
    {"email": "supplier@example.com", "roles": ["supplier"], "staff": False},
    {"email": "specialist@example.com", "roles": ["specialist"], "staff": False},
    {"email": "masseur@example.com", "roles": ["specialist"], "staff": False},
]


def seed_accounts() -> dict[str, object]:
    """Roles and the demo users; returns users by e-mail."""
    seed_roles()
    user_model = get_user_model()
    users = {}
    for spec in DEMO_USERS:
        user = user_model._default_manager.filter(email=spec["email"]).first()
        if user is None:
            user = create_user(
                email=spec["email"],
                password=DEMO_PASSWORD,
                is_staff=spec["staff"],
                is_superuser=spec["staff"],
            )
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
    """Two specialists (Moscow, Berlin) with services, hours and bookings."""
    from shop_bookings.demo import create_demo_data

    create_demo_data(
        specialist_users=[users["specialist@example.com"], users["masseur@example.com"]],
        clients=[users["customer@example.com"], users["b2b@example.com"]],
    )


def seed_catalog(users: dict[str, object]) -> dict:
    """A real supplier price list, owned by the demo supplier."""
    from shop_catalog.models import Shop
    from shop_catalog.services import import_pricelist_file

    shop, _created = Shop.objects.get_or_create(
        name="Связной",
        defaults={"url": "https://www.svyaznoy.ru", "owner": users["supplier@example.com"]},
    )
    if shop.offers.exists():  # loaded before; a re-import would reset stock
        return {}
    content = (DATA_DIR / "pricelist-svyaznoy.yaml").read_bytes()
    return import_pricelist_file(content=content, fmt="yaml", shop=shop).as_dict()


def seed_orders(users: dict[str, object]) -> None:
    """Orders of the demo customer in several states (idempotency keys make
    a second run find them instead of placing new ones)."""
    from shop_catalog.models import Offer
    from shop_orders import services

    customer = users["customer@example.com"]
    offers = list(Offer.objects.filter(is_active=True, quantity__gte=5).order_by("pk")[:3])
    address = {
        "recipient": "Мария Иванова",
        "phone": "+79161234567",
        "city": "Москва",
        "street": "ул. Тверская",
        "building": "1",
        "postal_code": "125009",
    }
    plan = {
        "demo-new": [],
        "demo-confirmed": ["confirmed"],
        "demo-sent": ["confirmed", "assembled", "sent"],
        "demo-canceled": ["canceled"],
    }
    for n, (key, moves) in enumerate(plan.items()):
        if services.replayed_order(user=customer, idempotency_key=key) is not None:
            continue
        services.clear_cart(user=customer)
        services.add_line(user=customer, offer_id=offers[n % len(offers)].pk, quantity=1)
        order = services.checkout(user=customer, address=address, idempotency_key=key).order
        for status in moves:
            for part in order.parts.all():
                services.move_part(part=part, to_status=status, comment="demo data")


def seed_cabinet(users: dict[str, object]) -> None:
    """Addresses and favourites; a verified B2B customer with a year of orders."""
    from shop_cabinet.demo import create_demo_data

    create_demo_data(
        customers=[users["customer@example.com"]], b2b_customer=users["b2b@example.com"]
    )
