"""Seeding and scenarios of BENCH-WORKLOAD.md (deterministic: seed 2026)."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.run import Scenario

SEED = 2026
PRODUCTS = 10_000
ROOTS, CHILDREN = 5, 9
SHOPS = 3
CUSTOMERS = 200
HEAVY_ORDERS, LINES_PER_ORDER = 100, 3
PARAMETERS = ["Цвет", "Вес (г)", "Гарантия (мес)", "Страна", "Материал"]
BIG_STOCK = 1_000_000_000  # offers the POST scenarios buy from never run out


@dataclass
class Seeded:
    summary: dict[str, Any] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)


def build_pricelists(rng: random.Random) -> tuple[list[tuple[int, int]], list[dict]]:
    """The category tree spec and one price list per shop.

    Every product is offered by 1-3 shops; shop 0 offers all of them, so its
    price list is the 10,000-goods file whose import is timed.
    """
    tree = [(root, child) for root in range(ROOTS) for child in range(CHILDREN)]
    pricelists = [{"shop": f"Bench shop {n}", "categories": [], "goods": []} for n in range(SHOPS)]
    for product in range(PRODUCTS):
        root, child = tree[product % len(tree)]
        category = f"Category {root}.{child}"
        params = {
            "Цвет": rng.choice(["black", "white", "red", "blue"]),
            "Вес (г)": rng.randint(50, 5000),
            "Гарантия (мес)": rng.choice([6, 12, 24]),
            "Страна": rng.choice(["Россия", "Китай", "Германия"]),
            "Материал": rng.choice(["пластик", "металл", "стекло"]),
        }
        shops = [0, *rng.sample(range(1, SHOPS), rng.randint(0, SHOPS - 1))]
        for shop in shops:
            price = rng.randint(300, 300_000)
            pricelists[shop]["goods"].append(
                {
                    "id": 100_000 + product,
                    "category": category,
                    "model": f"model/{product}",
                    "name": f"Product {product:05d}",
                    "price": price,
                    "price_rrc": price + price // 10,
                    "quantity": rng.randint(0, 200),
                    "parameters": params,
                }
            )
    for pricelist in pricelists:
        names = sorted({g["category"] for g in pricelist["goods"]})
        pricelist["categories"] = [{"id": name, "name": name} for name in names]
    return tree, pricelists


def seed() -> Seeded:
    from shop_accounts.services import create_user
    from shop_catalog.models import Category, Offer, Product
    from shop_catalog.services import import_pricelist

    rng = random.Random(SEED)
    seeded = Seeded()
    tree, pricelists = build_pricelists(rng)

    # The tree first, so the imports file goods under the children.
    for root in range(ROOTS):
        parent = Category.objects.create(name=f"Root {root}", slug=f"root-{root}")
        for child in range(CHILDREN):
            Category.objects.create(
                name=f"Category {root}.{child}", slug=f"category-{root}-{child}", parent=parent
            )

    started = time.perf_counter()
    import_pricelist(data=pricelists[0], create_shop=True)
    seeded.summary["import 10,000 goods, cold (s)"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    again = import_pricelist(data=pricelists[0])
    seeded.summary["import 10,000 goods, unchanged re-import (s)"] = round(
        time.perf_counter() - started, 2
    )
    assert again.as_dict().get("updated", 0) == 0, again.as_dict()
    for pricelist in pricelists[1:]:
        import_pricelist(data=pricelist, create_shop=True)
    seeded.summary["products"] = Product.objects.count()
    seeded.summary["offers"] = Offer.objects.count()
    seeded.summary["categories"] = Category.objects.count()

    customers = [
        create_user(email=f"customer{n}@bench.example", password="bench-password-1")
        for n in range(CUSTOMERS)
    ]
    seeded.ids["customers"] = customers
    seeded.ids["root0"] = Category.objects.get(slug="root-0").pk
    seeded.ids["product"] = Product.objects.order_by("pk").values_list("pk", flat=True)[0]
    # The offers the POST scenarios buy.
    buy = list(Offer.objects.filter(shop__name="Bench shop 0").order_by("pk")[:LINES_PER_ORDER])
    Offer.objects.filter(pk__in=[o.pk for o in buy]).update(quantity=BIG_STOCK)
    seeded.ids["offers"] = [o.pk for o in buy]
    if apps.is_installed("shop_orders"):
        seed_orders(seeded)
    return seeded


def seed_orders(seeded: Seeded) -> None:
    from shop_orders.services import cart as cart_service
    from shop_orders.services import checkout as checkout_service

    heavy = seeded.ids["customers"][0]
    for n in range(HEAVY_ORDERS):
        for offer_id in seeded.ids["offers"]:
            cart_service.add_line(user=heavy, offer_id=offer_id, quantity=1 + n % 2)
        checkout_service.checkout(user=heavy, address=ADDRESS)
    seeded.summary["heavy customer orders"] = HEAVY_ORDERS


ADDRESS = {
    "recipient": "Иван Петров",
    "phone": "+79161234567",
    "city": "Москва",
    "street": "Тверская",
    "building": "1",
    "apartment": "10",
    "postal_code": "125009",
}


def token_for(user: Any) -> str:
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def scenarios(seeded: Seeded) -> list[Scenario]:
    ids = seeded.ids
    products = "/api/v1/catalog/products/"
    result = [
        Scenario(
            "S0",
            "ceiling: bare Django JSON view",
            [("GET", "/bench/ceiling/", None)],
            check=lambda body: None if body.get("status") == "ok" else "bad body",
        ),
        Scenario(
            "S1", "product list, first page, anonymous", [("GET", products, None)], check=check_page
        ),
        Scenario(
            "S2",
            "products by category tree + price range",
            [("GET", f"{products}?category={ids['root0']}&price_min=1000&price_max=50000", None)],
            check=check_page,
        ),
        Scenario(
            "S3",
            "product detail with offers and parameters",
            [("GET", f"{products}{ids['product']}/", None)],
            check=check_detail,
        ),
    ]
    if apps.is_installed("shop_orders"):
        heavy = token_for(ids["customers"][0])
        add = ("POST", "/api/v1/orders/cart/lines/", {"offer": ids["offers"][0], "quantity": 1})
        result += [
            Scenario(
                "S4",
                "order history, heavy customer, page 1",
                [("GET", "/api/v1/orders/orders/", None)],
                tokens=[heavy],
                check=check_orders,
            ),
            Scenario(
                "S5",
                "add one item to the cart",
                [add],
                tokens=[heavy],
                check=lambda body: None if body.get("lines") else "no cart lines",
            ),
            # Each of 8 wrk threads (one connection each) is its own customer.
            Scenario(
                "S6",
                "checkout: add to cart, check out; 8 customers",
                [add, ("POST", "/api/v1/orders/checkout/", {"address": ADDRESS})],
                tokens=[token_for(user) for user in ids["customers"][1:9]],
                threads=8,
                check=lambda body: None if body.get("number") else "no order number",
            ),
        ]
    return result


def check_page(body: dict) -> str | None:
    got = len(body.get("results", []))
    return None if got == 20 else f"expected 20 results, got {got}"


def check_detail(body: dict) -> str | None:
    offers = body.get("offers") or []
    if not offers or len(offers[0].get("parameters", [])) != len(PARAMETERS):
        return "expected offers with 5 parameters"
    return None


def check_orders(body: dict) -> str | None:
    if body.get("count") != HEAVY_ORDERS or len(body.get("results", [])) != 20:
        return f"expected {HEAVY_ORDERS} orders, 20 on the page"
    return None


def check(scenario: Scenario) -> dict[str, Any]:
    """Run the scenario's cycle twice with the test client; report the SQL
    queries of the last request of the second cycle, after checking it."""
    headers = {"HTTP_AUTHORIZATION": f"Token {scenario.tokens[0]}"} if scenario.tokens else {}
    client = Client(**headers)
    for _cycle in range(2):
        for method, path, body in scenario.requests:
            with CaptureQueriesContext(connection) as queries:
                if method == "GET":
                    response = client.get(path)
                else:
                    response = client.post(path, body, content_type="application/json")
            if response.status_code not in (200, 201):
                raise SystemExit(
                    f"{scenario.name}: {method} {path}: HTTP {response.status_code}: "
                    f"{response.content[:300]!r}"
                )
    error = scenario.check(response.json())
    if error:
        raise SystemExit(f"{scenario.name}: {error}")
    return {"queries": len(queries)}
