"""Seeding and scenarios of BENCH-WORKLOAD.md (deterministic: seed 2026)."""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from bench.run import Scenario

SEED = 2026
PRODUCTS = 10_000
ROOTS, CHILDREN = 5, 9
SHOPS = 3
CUSTOMERS = 200
HEAVY_ORDERS, LINES_PER_ORDER = 100, 3
PARAMETERS = ["Цвет", "Вес (г)", "Гарантия (мес)", "Страна", "Материал"]
BIG_STOCK = 1_000_000_000
SINGLE_REQUEST_RUNS = 30  # offers the POST scenarios buy from never run out


@dataclass
class Seeded:
    summary: dict[str, Any] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)
    imports: list[dict[str, Any]] = field(default_factory=list)


def build_pricelists(
    rng: random.Random, products: int = PRODUCTS, shops: int = SHOPS
) -> tuple[list[tuple[int, int]], list[dict]]:
    """The category tree spec and one price list per shop.

    Every product is offered by 1-3 shops; shop 0 offers all of them, so its
    price list is the 10,000-goods file whose import is timed.
    """
    tree = [(root, child) for root in range(ROOTS) for child in range(CHILDREN)]
    pricelists = [{"shop": f"Bench shop {n}", "categories": [], "goods": []} for n in range(shops)]
    for product in range(products):
        root, child = tree[product % len(tree)]
        category = f"Category {root}.{child}"
        params = {
            "Цвет": rng.choice(["black", "white", "red", "blue"]),
            "Вес (г)": rng.randint(50, 5000),
            "Гарантия (мес)": rng.choice([6, 12, 24]),
            "Страна": rng.choice(["Россия", "Китай", "Германия"]),
            "Материал": rng.choice(["пластик", "металл", "стекло"]),
        }
        for shop in [0, *rng.sample(range(1, shops), rng.randint(0, 2))]:
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


def seed(scale: int = 1) -> Seeded:
    from shop_accounts.services import create_user
    from shop_catalog.catalogue import VERSION_PK
    from shop_catalog.models import CatalogueVersion, Category, Offer, Product, Shop
    from shop_catalog.services import import_pricelist

    rng = random.Random(SEED)
    seeded = Seeded()
    tree, pricelists = build_pricelists(rng, PRODUCTS * scale, SHOPS * scale)

    # The tree first, so the imports file goods under the children.
    for root in range(ROOTS):
        parent = Category.objects.create(name=f"Root {root}", slug=f"root-{root}")
        for child in range(CHILDREN):
            Category.objects.create(
                name=f"Category {root}.{child}", slug=f"category-{root}-{child}", parent=parent
            )

    seeded.imports = import_bench(pricelists[0])
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
    seeded.ids["shop2"] = Shop.objects.get(name="Bench shop 2").pk
    seeded.ids["product"] = Product.objects.order_by("pk").values_list("pk", flat=True)[0]
    # The offers the POST scenarios buy.
    buy = list(Offer.objects.filter(shop__name="Bench shop 0").order_by("pk")[:LINES_PER_ORDER])
    Offer.objects.filter(pk__in=[o.pk for o in buy]).update(quantity=BIG_STOCK)
    seeded.ids["offers"] = [o.pk for o in buy]
    if apps.is_installed("shop_orders"):
        seed_orders(seeded)
    if apps.is_installed("shop_bookings"):
        seed_bookings(seeded)
    # The seeding ran with the page cache off, which writes no catalogue
    # version: without one a server with the cache on would not cache.
    CatalogueVersion.objects.update_or_create(pk=VERSION_PK, defaults={"token": uuid4().hex})
    return seeded


def import_bench(pricelist: dict) -> list[dict[str, Any]]:
    """Shop 0's price list as a YAML file, imported cold, again unchanged, and
    with every tenth price changed; seconds and goods/s, parsing included."""
    import yaml

    from shop_catalog.services import import_pricelist_file

    def dump(data: dict) -> bytes:
        text = yaml.dump(data, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
        return text.encode()

    content = dump(pricelist)
    changed = dump(
        {
            **pricelist,
            "goods": [
                {**item, "price": item["price"] + 1} if n % 10 == 0 else item
                for n, item in enumerate(pricelist["goods"])
            ],
        }
    )
    goods = len(pricelist["goods"])
    rows = []
    for name, data, expect in [
        ("cold (new shop, products, parameters)", content, "created"),
        ("unchanged (the same file again)", content, None),
        ("changed (every 10th price)", changed, "updated"),
    ]:
        started = time.perf_counter()
        summary = import_pricelist_file(content=data, fmt="yaml", create_shop=True).as_dict()
        seconds = time.perf_counter() - started
        done = summary[expect] if expect else goods - summary["unchanged"]
        assert done == (goods if expect == "created" else goods // 10 if expect else 0), summary
        rows.append({"name": name, "seconds": seconds, "goods_per_s": goods / seconds})
    return rows


def filters(seeded: Seeded) -> list[dict[str, Any]]:
    """Every filter of the product list, one request at a time (median of runs)."""
    ids = seeded.ids
    queries = [
        ("no filter, page 1", ""),
        ("no filter, page 50", "page=50"),
        ("shop (Bench shop 2)", f"shop={ids['shop2']}"),
        ("category, root with descendants", f"category={ids['root0']}"),
        ("category, leaf (slug)", "category=category-1-2"),
        ("price range", "price_min=1000&price_max=50000"),
        ("highest price only (the stored lowest price)", "price_max=5000"),
        ("category + price range (S2)", f"category={ids['root0']}&price_min=1000&price_max=50000"),
        ("in stock", "in_stock=true"),
        ("parameter", "parameter=Цвет:red"),
        ("two parameters", "parameter=Цвет:red&parameter=Страна:Китай"),
        ("shop + parameter + price", f"shop={ids['shop2']}&parameter=Цвет:red&price_max=9000"),
        ("search, one product", "search=00042"),
        ("search, every product", "search=product"),
        ("ordering=price", "ordering=price"),
        ("ordering=-price", "ordering=-price"),
        ("ordering=name", "ordering=name"),
        ("ordering=newest", "ordering=newest"),
    ]
    client = Client()
    rows = []
    for name, query in queries:
        path = f"/api/v1/catalog/products/?{query}"
        row = {"name": name, **_timed(client, path, lambda r: r.json()["count"])}
        paging = None if "page=" in query else _paging(client, path, row["count"])
        rows.append({**row, "paging_ms": paging})
    export = f"/api/v1/catalog/products/export/?shop={ids['shop2']}"
    rows.append(
        {
            "name": "CSV export, shop (Bench shop 2)",
            **_timed(client, export, lambda r: b"".join(r.streaming_content).count(b"\n") - 1),
        }
    )
    return rows


def _paging(client: Client, path: str, count: int, pages: int = 8) -> float | None:
    """Median ms of pages 2.. of a filter with the catalogue cache on: the COUNT
    is cached once per filter and catalogue version (page 1), every page is still
    read (none is cached yet). None for a one-page result."""
    from django.conf import settings

    from shop_catalog.catalogue import catalogue_changed

    last = min(pages, (count + 19) // 20)
    if last < 2:
        return None
    with override_settings(SHOP_CATALOG={**settings.SHOP_CATALOG, "CACHE": True}):
        catalogue_changed()  # a fresh version: nothing cached under it yet
        client.get(path)  # page 1 counts
        timings = [_get(client, f"{path}&page={page}")[0] for page in range(2, last + 1)]
    return round(statistics.median(timings), 2)


def _timed(client: Client, path: str, count: Any, runs: int = 7) -> dict[str, Any]:
    measured = [_get(client, path, count) for _ in range(runs)]
    timings = [ms for ms, _counted in measured]
    return {"median_ms": round(statistics.median(timings), 2), "count": measured[-1][1]}


def _get(client: Client, path: str, read: Any = lambda response: None) -> tuple[float, Any]:
    """(ms, ``read(response)``) of one GET that must answer 200; the body is read
    inside the timing (a streamed one too)."""
    started = time.perf_counter()
    response = client.get(path)
    value = read(response)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code}")
    return elapsed, value


def seed_orders(seeded: Seeded) -> None:
    from shop_orders import services

    heavy = seeded.ids["customers"][0]
    for n in range(HEAVY_ORDERS):
        for offer_id in seeded.ids["offers"]:
            services.add_line(user=heavy, offer_id=offer_id, quantity=1 + n % 2)
        services.checkout(user=heavy, address=ADDRESS)
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
    if apps.is_installed("shop_cabinet"):
        result.append(
            Scenario(
                "C1",
                "cabinet dashboard, heavy customer",
                [("GET", "/api/v1/cabinet/dashboard/", None)],
                tokens=[token_for(ids["customers"][0])],
                check=lambda body: (
                    None
                    if body["orders"]["count"] == HEAVY_ORDERS
                    else "expected the heavy customer's 100 orders"
                ),
            )
        )
    if apps.is_installed("shop_bookings"):
        result += booking_scenarios(seeded)
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
    """Run the scenario with the test client after a warm-up pass; check the
    last response and report the SQL queries of the last request."""
    headers = {"HTTP_AUTHORIZATION": f"Token {scenario.tokens[0]}"} if scenario.tokens else {}
    client = Client(**headers)
    for method, path, body in [*(scenario.warmup or scenario.requests), *scenario.requests]:
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
    result: dict[str, Any] = {"queries": len(queries)}
    if all(method == "GET" for method, _path, _body in scenario.requests):
        result["bytes"] = len(response.content)
        # One request at a time, in process: the figure the issues' latency
        # goals speak of (wrk's p50 adds the queue of 8 connections on 2 workers).
        timings = []
        for _ in range(SINGLE_REQUEST_RUNS):
            started = time.perf_counter()
            client.get(scenario.requests[0][1])
            timings.append((time.perf_counter() - started) * 1000)
        result["single_ms"] = round(statistics.median(timings), 2)
    return result


# --- Bookings (issue: slots under 20 ms median; booking creation) ------------

BOOKING_SPECIALISTS = 10  # B2 spreads new bookings over these, one 15-minute service each
BUSY_BOOKINGS = 200  # B1: a month around the clock
USUAL_BOOKINGS = 100  # B1w: a month of working weeks


def _specialist(
    user: Any, name: str, *, zone: str = "UTC", hours: tuple[int, int] = (0, 0), days: int = 7
) -> Any:
    """A specialist working ``hours`` (local; 0-0 around the clock) on the first ``days``
    weekdays."""
    from datetime import time as clock

    from shop_bookings.models import Specialist, WorkingHours

    specialist = Specialist.objects.create(user=user, display_name=name, time_zone=zone)
    WorkingHours.objects.bulk_create(
        WorkingHours(specialist=specialist, weekday=day, start=clock(hours[0]), end=clock(hours[1]))
        for day in range(days)
    )
    return specialist


def seed_bookings(seeded: Seeded) -> None:
    """B1: a specialist with 5 services and 200 bookings over 30 days;
    B2: specialists with free all-day calendars to book into."""
    from datetime import timedelta

    from django.utils import timezone

    from shop_accounts.services import create_user
    from shop_bookings.models import Service
    from shop_bookings.selectors import free_slots_for
    from shop_bookings.services import create_booking

    rng = random.Random(SEED)
    now = timezone.now()
    window = (now + timedelta(hours=3), now + timedelta(days=30))
    clients = seeded.ids["customers"][10:30]

    def booked(specialist: Any, bookings: int) -> int:
        """Five services of ``specialist``, ``bookings`` of them in the next 30 days."""
        services = [
            Service.objects.create(
                specialist=specialist,
                name=f"Service {n}",
                price=1000 + 500 * n,
                duration_minutes=30 + 15 * n,
                buffer_after_minutes=5,
            )
            for n in range(5)
        ]
        for _ in range(bookings):
            service = rng.choice(services)
            free = free_slots_for(
                specialist=specialist, service=service, window_start=window[0], window_end=window[1]
            )
            create_booking(client=rng.choice(clients), service=service, start=rng.choice(free))
        return services[0].pk

    busy = _specialist(create_user(email="busy@bench.example", password=None), "Busy specialist")
    seeded.ids["busy"] = (busy.pk, booked(busy, BUSY_BOOKINGS))
    seeded.summary["bookings of the busy specialist"] = BUSY_BOOKINGS
    # A working week: Monday to Friday, 9:00-18:00 in Moscow, about five bookings a day.
    usual = _specialist(
        create_user(email="usual@bench.example", password=None),
        "Usual specialist",
        zone="Europe/Moscow",
        hours=(9, 18),
        days=5,
    )
    seeded.ids["usual"] = (usual.pk, booked(usual, USUAL_BOOKINGS))
    seeded.summary["bookings of the usual specialist (Mon-Fri 9-18)"] = USUAL_BOOKINGS

    free_services = []
    for n in range(BOOKING_SPECIALISTS):
        user = create_user(email=f"specialist{n}@bench.example", password=None)
        specialist = _specialist(user, f"Free specialist {n}")
        free_services.append(
            Service.objects.create(
                specialist=specialist, name="Quick", price=500, duration_minutes=15
            ).pk
        )
    seeded.ids["free_services"] = free_services


def booking_scenarios(seeded: Seeded) -> list[Scenario]:
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.now().date()

    def month_of_slots(specialist: int, service: int) -> str:
        return (
            f"/api/v1/bookings/specialists/{specialist}/slots/?service={service}"
            f"&from={today + timedelta(days=1)}&to={today + timedelta(days=30)}"
        )

    slots = month_of_slots(*seeded.ids["busy"])
    # New bookings go to 15-minute slots from a day ahead on (tomorrow's
    # midnight was inside the booking notice late in the evening): request k
    # books slot k // n of service k % n, so no two requests ask for the same one.
    base = int(
        (timezone.now() + timedelta(days=1, hours=1))
        .replace(minute=0, second=0, microsecond=0)
        .timestamp()
    )
    services = seeded.ids["free_services"]
    tokens = [token_for(user) for user in seeded.ids["customers"][30:32]]
    script = f"""
local tokens = {{{", ".join(f'"{t}"' for t in tokens)}}}
local services = {{{", ".join(str(s) for s in services)}}}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads - 1)
  thread:set("token", tokens[(threads - 1) % #tokens + 1])
end
local step = 0
function request()
  local k = step * 2 + id
  step = step + 1
  local start = os.date("!%Y-%m-%dT%H:%M:%SZ", {base} + math.floor(k / #services) * 900)
  local body = '{{"service": ' .. services[k % #services + 1] .. ', "start": "' .. start .. '"}}'
  return wrk.format("POST", "/api/v1/bookings/bookings/",
    {{["Authorization"] = "Token " .. token, ["Content-Type"] = "application/json"}}, body)
end
"""

    # The test-client check books slots near the end of the horizon instead.
    def booking(days: int) -> tuple[str, str, dict]:
        start = (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
        return (
            "POST",
            "/api/v1/bookings/bookings/",
            {"service": services[0], "start": start.isoformat()},
        )

    return [
        Scenario(
            "B1",
            f"free slots, 30 days, {BUSY_BOOKINGS} bookings",
            [("GET", slots, None)],
            check=lambda body: None if body.get("slots") else "no slots",
        ),
        Scenario(
            "B1w",
            f"free slots, 30 days, Mon-Fri 9-18, {USUAL_BOOKINGS} bookings",
            [("GET", month_of_slots(*seeded.ids["usual"]), None)],
            check=lambda body: None if body.get("slots") else "no slots",
        ),
        Scenario(
            "B1c",
            "free slots, 30 days, compact (group=day)",
            [("GET", f"{slots}&group=day", None)],
            check=lambda body: None if body.get("days") else "no days",
        ),
        Scenario(
            "B2",
            "create a booking",
            [booking(51)],
            warmup=[booking(50)],
            tokens=tokens,
            script=script,
            check=lambda body: None if body.get("status") else "no booking",
        ),
    ]
