"""Load test of the reference site, run by ``nox -s load``.

1. Recreates a database (``--database``, default ``shop_load``) on the
   PostgreSQL server of ``$DATABASE_URL`` (loopback only), migrates it and
   seeds it: the site's demo data, a generated catalogue (``--goods``
   products in two shops, a few scarce offers and a few with huge stock),
   ``--customers`` customers with tokens and a saved address, and three
   specialists with open hours every day.
2. Starts gunicorn (``--workers`` sync workers, DEBUG off, no rate limits,
   tasks queued in the database) on a free loopback port and runs locust
   headless with tools/locustfile.py: browse 70%, cart 20%, checkout 5%,
   bookings 5% of user actions, for ``--time`` with ``--users`` users.
3. Prints throughput, p50/p99 and outcomes per group and overall, and
   writes them as JSON (``--json``, default ``load.json`` in the run's
   temporary directory).
4. Checks the database: no negative stock, stock of every offer equals
   its initial stock minus the lines of the run's orders that are not
   canceled, no two active bookings of one specialist overlap, every order
   and booking the client was told about exists as told, no 5xx and no
   unexpected status. Exits 1 when any check fails.

    DATABASE_URL=postgres://postgres@127.0.0.1:54329/shop python tools/load.py \\
        [--users 20] [--spawn-rate 5] [--time 60s] [--customers 50] [--goods 2000]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from site_server import start_site

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "example_site"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
GROUPS = ["browse", "cart", "checkout", "bookings"]
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
DEFAULT_URL = f"postgres://postgres@127.0.0.1:{os.environ.get('SHOP_PG_PORT', '54329')}/postgres"

SEED = 2026
SHOPS = ("Load shop A", "Load shop B")
ROOTS, CHILDREN = 4, 5
PARAMETERS = {
    "Цвет": ["black", "white", "red", "blue"],
    "Страна": ["Россия", "Китай", "Германия"],
    "Гарантия (мес)": [6, 12, 24],
}
HOT_OFFERS, HOT_STOCK = 3, 30  # scarce: checkouts run them out (409 is valid)
BIG_OFFERS, BIG_STOCK = 20, 1_000_000  # plentiful: cart and checkout never run out
SPECIALISTS = 3


# --- command line and environment --------------------------------------------


def seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)([smh]?)", value.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {value!r} (e.g. 60, 60s, 2m)")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=20, help="concurrent locust users")
    parser.add_argument("--spawn-rate", type=float, default=5, help="users started per second")
    parser.add_argument("--time", type=seconds, default=60, help="run time (60, 60s, 2m)")
    parser.add_argument(
        "--customers",
        type=int,
        default=50,
        help="seeded customers; fewer than --users makes users share them (two devices)",
    )
    parser.add_argument("--goods", type=int, default=2000, help="products in the catalogue")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--wait", default="0.1,0.5", help="think time between actions, min,max s")
    parser.add_argument("--database", default="shop_load", help="database to (re)create")
    parser.add_argument(
        "--tasks",
        choices=["database", "immediate"],
        default="database",
        help="background tasks: queued in the database (no worker runs) or run in the request",
    )
    parser.add_argument("--json", type=Path, help="where to write the results")
    args = parser.parse_args()
    args.wait = [float(part) for part in args.wait.split(",")]
    if len(args.wait) != 2 or not 0 <= args.wait[0] <= args.wait[1]:
        parser.error("--wait takes min,max seconds, e.g. 0.1,0.5")
    if min(args.users, args.time, args.customers) < 1:
        parser.error("--users, --time and --customers must be positive")
    return args


def database_urls(server_url: str, database: str) -> tuple[str, str]:
    """(maintenance URL, URL of the run's database) on the same server."""
    parts = urlsplit(server_url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"DATABASE_URL must be a PostgreSQL URL, not {parts.scheme}://")
    if parts.hostname not in LOOPBACK:
        raise SystemExit(f"DATABASE_URL must point at loopback, not {parts.hostname!r}")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", database):
        raise SystemExit(f"--database must be a plain lower-case name, not {database!r}")
    return (
        urlunsplit(parts._replace(path="/postgres")),
        urlunsplit(parts._replace(path=f"/{database}")),
    )


def recreate_database(maintenance_url: str, database: str) -> None:
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')


def site_env(args: argparse.Namespace, database_url: str, workdir: Path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "example_site.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "load-test-only-not-secret",
        "DATABASE_URL": database_url,
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "SHOP_THROTTLING": "off",
        "SHOP_TASKS_BACKEND": args.tasks,
    }


# --- seeding (in this process, through the packages' services) ---------------


def generate_pricelists(goods: int, rng: random.Random) -> list[dict]:
    """Shop A offers every product, shop B about a third of them."""
    pricelists = [{"shop": name, "categories": [], "goods": []} for name in SHOPS]
    for product in range(goods):
        category = f"Load category {product % ROOTS}.{product // ROOTS % CHILDREN}"
        params = {name: rng.choice(values) for name, values in PARAMETERS.items()}
        shops = [0, 1] if product % 3 == 0 else [0]
        for shop in shops:
            price = rng.randint(300, 300_000)
            pricelists[shop]["goods"].append(
                {
                    "id": 500_000 + product,
                    "category": category,
                    "model": f"load/{product}",
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
    return pricelists


def seed(args: argparse.Namespace) -> tuple[dict, dict]:
    """Seed the database; returns (the locust config, the snapshot to check against)."""
    from datetime import time as clock

    from django.core.management import call_command
    from django.db.models import Max
    from rest_framework.authtoken.models import Token

    from shop_accounts.services import create_user
    from shop_bookings.models import Booking, Service, Specialist, WorkingHours
    from shop_cabinet.services import create_address
    from shop_catalog.models import Category, Offer, Product
    from shop_catalog.services import import_pricelist
    from shop_orders.models import Order

    rng = random.Random(SEED)
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"  migrated in {time.perf_counter() - started:.1f}s", flush=True)
    call_command("demo_data", "--i-know-this-is-not-production", stdout=io.StringIO())

    # The catalogue: the tree first, so the imports file goods under the children.
    for root in range(ROOTS):
        parent = Category.objects.create(name=f"Load root {root}", slug=f"load-root-{root}")
        for child in range(CHILDREN):
            Category.objects.create(
                name=f"Load category {root}.{child}",
                slug=f"load-category-{root}-{child}",
                parent=parent,
            )
    for pricelist in generate_pricelists(args.goods, rng):
        import_pricelist(data=pricelist, create_shop=True)
    offers = list(
        Offer.objects.filter(shop__name__in=SHOPS).order_by("pk").values_list("pk", flat=True)
    )
    picked = rng.sample(offers, HOT_OFFERS + BIG_OFFERS)
    hot, big = picked[:HOT_OFFERS], picked[HOT_OFFERS:]
    Offer.objects.filter(pk__in=hot).update(quantity=HOT_STOCK)
    Offer.objects.filter(pk__in=big).update(quantity=BIG_STOCK)

    customers = []
    for n in range(args.customers):
        user = create_user(email=f"load{n:03d}@load.example", password=None, role="customer")
        address = create_address(
            user=user,
            recipient=f"Load customer {n}",
            phone="+7 916 123-45-67",
            city="Москва",
            street="ул. Тверская",
            building=str(1 + n),
            apartment="10",
            postal_code="125009",
        )
        customers.append(
            {
                "email": user.email,
                "token": Token.objects.create(user=user).key,
                "address_id": address.pk,
            }
        )

    specialists = []
    for n in range(SPECIALISTS):
        user = create_user(email=f"specialist{n}@load.example", password=None)
        specialist = Specialist.objects.create(
            user=user, display_name=f"Load specialist {n}", city="Load city", time_zone="UTC"
        )
        WorkingHours.objects.bulk_create(
            WorkingHours(specialist=specialist, weekday=day, start=clock(9), end=clock(18))
            for day in range(7)
        )
        services = [
            Service.objects.create(
                specialist=specialist,
                name="Quick check",
                price=500,
                duration_minutes=30,
                buffer_after_minutes=5,
            ),
            Service.objects.create(
                specialist=specialist,
                name="Long session",
                price=2500,
                duration_minutes=60,
                buffer_before_minutes=10,
                buffer_after_minutes=10,
                requires_confirmation=True,
            ),
        ]
        specialists.append({"id": specialist.pk, "services": [s.pk for s in services]})

    products = list(
        Product.objects.filter(offers__shop__name__in=SHOPS)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    config = {
        "customers": customers,
        "hot_offers": hot,
        "big_offers": big,
        "products": rng.sample(products, min(500, len(products))),
        "categories": list(
            Category.objects.filter(slug__startswith="load-").values_list("pk", flat=True)
        ),
        "parameters": [[name, str(v)] for name, values in PARAMETERS.items() for v in values],
        "specialists": specialists,
        "wait": args.wait,
        "users": args.users,
    }
    snapshot = {
        "stock": dict(Offer.objects.values_list("pk", "quantity")),
        "last_order": Order.objects.aggregate(last=Max("pk"))["last"] or 0,
        "last_booking": Booking.objects.aggregate(last=Max("pk"))["last"] or 0,
    }
    summary = {
        "products": Product.objects.count(),
        "offers": len(snapshot["stock"]),
        "customers": len(customers),
        "specialists": Specialist.objects.count(),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(f"  seeded: {summary}", flush=True)
    return config, snapshot


# --- server and load ------------------------------------------------------------


def run_locust(
    args: argparse.Namespace, base: str, env: dict[str, str], workdir: Path
) -> tuple[int, Path]:
    results = workdir / "locust-results.json"
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{args.time}s",
        "--stop-timeout",
        "10",
        "--host",
        base,
        "--csv",
        str(workdir / "locust"),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    env = {**env, "LOAD_CONFIG": str(workdir / "locust-config.json"), "LOAD_RESULTS": str(results)}
    with (workdir / "locust.log").open("wb") as log:
        try:
            code = subprocess.run(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=args.time + 90
            ).returncode
        except subprocess.TimeoutExpired:
            code = -1
    return code, results


# --- figures ---------------------------------------------------------------------


def percentile(sorted_values: list[float], share: float) -> float | None:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return None
    rank = max(1, -(-len(sorted_values) * share // 1))
    return sorted_values[int(rank) - 1]


def summarize(record: dict) -> dict:
    duration = max((record["stopped"] or 0) - (record["started"] or 0), 1e-9)
    rows = {}
    for group in [*GROUPS, "all"]:
        samples = [s for s in record["samples"] if group in ("all", s[0])]
        sent = [s for s in samples if s[2] is not None]
        times = sorted(s[3] for s in sent)
        outcomes = Counter(s[4] for s in samples)
        rows[group] = {
            "requests": len(sent),
            "rps": round(len(sent) / duration, 1),
            "p50_ms": percentile(times, 0.50),
            "p99_ms": percentile(times, 0.99),
            "max_ms": times[-1] if times else None,
            "ok": outcomes.pop("ok", 0),
            "errors": outcomes.pop("error", 0),
            "server_errors": sum(1 for s in sent if s[2] >= 500),
            "connection_errors": sum(1 for s in sent if s[2] == 0),
            "refusals": dict(sorted(outcomes.items())),
        }
    statuses = Counter(f"{s[0]} {s[1]} {s[2]}" for s in record["samples"] if s[2] is not None)
    return {
        "duration_s": round(duration, 1),
        "groups": rows,
        "statuses": dict(sorted(statuses.items())),
        "orders_seen": len(record["orders"]),
        "orders_canceled": sum(1 for o in record["orders"] if o["canceled"]),
        "bookings_seen": len(record["bookings"]),
        "error_details": record["error_details"],
    }


def print_table(summary: dict) -> None:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value:.0f}"

    head = (
        f"{'group':<9} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'ok':>6} {'errors':>6} {'5xx':>4}  valid refusals"
    )
    print(f"\nLoad run: {summary['duration_s']} s")
    print(head)
    print("-" * len(head))
    for group, row in summary["groups"].items():
        refusals = ", ".join(f"{k} {v}" for k, v in row["refusals"].items()) or "-"
        print(
            f"{group:<9} {row['requests']:>8} {row['rps']:>7} {ms(row['p50_ms']):>7} "
            f"{ms(row['p99_ms']):>7} {ms(row['max_ms']):>7} {row['ok']:>6} "
            f"{row['errors']:>6} {row['server_errors']:>4}  {refusals}"
        )
    print(
        f"orders placed {summary['orders_seen']} (canceled {summary['orders_canceled']}), "
        f"bookings made {summary['bookings_seen']}"
    )


# --- consistency -------------------------------------------------------------------


def check_consistency(
    snapshot: dict, record: dict, summary: dict, *, responses: bool = True
) -> list[str]:
    """Every failed check as one line; empty when all pass. ``responses=False``
    leaves out the checks of the answers themselves (tools/topology.py judges
    them per fault)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Sum

    from shop_bookings.models import ACTIVE_STATUSES, Booking
    from shop_catalog.models import Offer
    from shop_orders.models import Order, OrderLine, Status

    failures: list[str] = []

    def fail(text: str, items: list | None = None) -> None:
        more = f" (and {len(items) - 10} more)" if items and len(items) > 10 else ""
        failures.append(text + (f": {items[:10]}{more}" if items else ""))

    # Stock: never negative; initial minus what the run's live orders hold.
    negative = list(Offer.objects.filter(quantity__lt=0).values_list("pk", flat=True))
    if negative:
        fail("offers with negative stock", negative)
    taken = dict(
        OrderLine.objects.filter(order_id__gt=snapshot["last_order"])
        .exclude(part__status=Status.CANCELED)
        .values("offer")
        .annotate(n=Sum("quantity"))
        .values_list("offer", "n")
    )
    wrong = []
    # The offers that were there at the start (an import during the run adds others).
    for pk, quantity in Offer.objects.filter(pk__in=snapshot["stock"]).values_list(
        "pk", "quantity"
    ):
        expected = snapshot["stock"][pk] - taken.get(pk, 0)
        if quantity != expected:
            wrong.append(f"offer {pk}: stock {quantity}, expected {expected}")
    if wrong:
        fail("stock does not match the orders", wrong)

    # Orders: each 201 the client saw exists as it was told, and no other.
    users = dict(get_user_model().objects.values_list("email", "pk"))
    orders = {
        o.pk: o
        for o in Order.objects.filter(pk__gt=snapshot["last_order"]).prefetch_related("lines")
    }
    bad = []
    for seen in record["orders"]:
        order = orders.get(seen["id"])
        if order is None:
            bad.append(f"order {seen['id']} ({seen['number']}) missing")
            continue
        lines = sorted([line.offer_id, line.quantity] for line in order.lines.all())
        if order.number != seen["number"] or order.user_id != users.get(seen["customer"]):
            bad.append(f"order {order.pk}: number or customer differ")
        if order.idempotency_key != seen["key"]:
            bad.append(f"order {order.pk}: idempotency key differs")
        if lines != sorted(seen["lines"]):
            bad.append(f"order {order.pk}: lines {lines}, client saw {sorted(seen['lines'])}")
        if seen["canceled"] and order.status != Status.CANCELED:
            bad.append(f"order {order.pk}: canceled by the client, status {order.status}")
        if not seen["canceled"] and order.status != Status.NEW:
            bad.append(f"order {order.pk}: status {order.status}, expected new")
    if bad:
        fail("orders differ from what the client saw", bad)
    unseen = sorted(set(orders) - {seen["id"] for seen in record["orders"]})
    if unseen:
        # A checkout whose answer was lost (no answer, or a proxy's 5xx) may have placed an order.
        checkout = summary["groups"]["checkout"]
        lost = checkout["connection_errors"] + checkout["server_errors"]
        text = "orders the client was never told about"
        if lost:
            print(f"warning: {text} ({lost} checkout connection errors): {unseen[:10]}")
        else:
            fail(text, unseen)

    # Bookings: no two active ones of a specialist overlap (blocked ranges,
    # buffers included); each 201 the client saw exists.
    overlaps = []
    last: dict[int, tuple[int, object]] = {}
    for pk, specialist, start, end in (
        Booking.objects.filter(status__in=ACTIVE_STATUSES)
        .order_by("specialist", "blocked_start")
        .values_list("pk", "specialist", "blocked_start", "blocked_end")
    ):
        previous = last.get(specialist)
        if previous and start < previous[1]:
            overlaps.append(f"specialist {specialist}: bookings {previous[0]} and {pk}")
        if previous is None or end > previous[1]:
            last[specialist] = (pk, end)
    if overlaps:
        fail("overlapping active bookings", overlaps)
    bookings = {
        b["pk"]: b
        for b in Booking.objects.filter(pk__gt=snapshot["last_booking"]).values(
            "pk", "service", "start", "client__email", "status"
        )
    }
    bad = []
    for seen in record["bookings"]:
        booking = bookings.get(seen["id"])
        if booking is None:
            bad.append(f"booking {seen['id']} missing")
        elif (
            booking["service"] != seen["service"]
            or booking["client__email"] != seen["customer"]
            or booking["status"] not in ACTIVE_STATUSES
        ):
            bad.append(f"booking {seen['id']}: {booking}")
    if bad:
        fail("bookings differ from what the client saw", bad)
    unseen = sorted(set(bookings) - {seen["id"] for seen in record["bookings"]})
    booked = summary["groups"]["bookings"]
    if unseen and not booked["connection_errors"] + booked["server_errors"]:
        fail("bookings the client was never told about", unseen)

    if not responses:
        return failures
    # The responses themselves.
    overall = summary["groups"]["all"]
    if overall["server_errors"]:
        fail(f"{overall['server_errors']} responses with a 5xx status")
    if overall["errors"]:
        fail(f"{overall['errors']} errors (5xx, connection errors or unexpected statuses)")
    if overall["requests"] == 0:
        fail("no request was sent")
    return failures


# --- main ----------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    begun = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="shop-load-"))
    maintenance_url, database_url = database_urls(
        os.environ.get("DATABASE_URL", DEFAULT_URL), args.database
    )
    print(f"Load test: database {args.database}, work files in {workdir}", flush=True)
    recreate_database(maintenance_url, args.database)

    env = site_env(args, database_url, workdir)
    os.environ.update(env)
    sys.path[:0] = [str(SITE), str(ROOT)]
    import django
    from django.db import connections

    django.setup()
    config, snapshot = seed(args)
    (workdir / "locust-config.json").write_text(json.dumps(config), encoding="utf-8")
    (workdir / "snapshot.json").write_text(json.dumps(snapshot), encoding="utf-8")
    connections.close_all()

    server, base = start_site(
        {**os.environ, **env}, workers=args.workers, log=workdir / "gunicorn.log"
    )
    try:
        print(
            f"Running locust: {args.users} users, {args.time} s, against {base} "
            f"({args.workers} gunicorn workers)",
            flush=True,
        )
        code, results = run_locust(args, base, {**os.environ, **env}, workdir)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    if not results.exists():
        print((workdir / "locust.log").read_text(encoding="utf-8", errors="replace")[-3000:])
        print(f"locust wrote no results (exit code {code})")
        return 1
    record = json.loads(results.read_text(encoding="utf-8"))
    summary = summarize(record)
    print_table(summary)

    failures = check_consistency(snapshot, record, summary)
    summary["consistency_failures"] = failures
    summary["settings"] = {
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "time_s": args.time,
        "customers": args.customers,
        "goods": args.goods,
        "gunicorn_workers": args.workers,
        "wait_s": args.wait,
        "tasks_backend": args.tasks,
    }
    summary["total_s"] = round(time.perf_counter() - begun, 1)
    out = args.json or workdir / "load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"Results: {out} (total {summary['total_s']} s)")

    if summary["error_details"]:
        print("\nFirst errors:")
        for detail in summary["error_details"][:10]:
            print(f"  {detail}")
    if failures:
        print("\nConsistency checks FAILED:")
        for failure in failures:
            print(f"  - {failure}")
        log = (workdir / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
        if log.strip():
            print(f"\nLast lines of {workdir / 'gunicorn.log'}:\n{log[-3000:]}")
        return 1
    print("\nConsistency checks passed: stock, orders, bookings, no server errors.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
