"""The start page and the health endpoint of the reference site."""

from __future__ import annotations

from demo.seed import DEMO_PASSWORD, DEMO_USERS
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

SHOP_APPS = [
    ("shop_accounts", "Accounts", "/api/v1/accounts/"),
    ("shop_catalog", "Catalogue", "/api/v1/catalog/"),
    ("shop_orders", "Orders", "/api/v1/orders/"),
    ("shop_cabinet", "Cabinet", "/api/v1/cabinet/"),
    ("shop_bookings", "Bookings", "/api/v1/bookings/"),
]


def start_page(request: HttpRequest) -> HttpResponse:
    installed = [
        {"label": label, "url": url, "version": apps.get_app_config(name).module.__version__}
        for name, label, url in SHOP_APPS
        if apps.is_installed(name)
    ]
    missing = [label for name, label, _url in SHOP_APPS if not apps.is_installed(name)]
    context = {"installed": installed, "missing": missing}
    if settings.DEMO_MODE:  # never publish the demo superuser's password in production
        context.update(users=DEMO_USERS, password=DEMO_PASSWORD)
    return render(request, "demo/start.html", context)


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database and the cache answer, 503 otherwise."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "down"
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("health-check", "1", 5)
        checks["cache"] = "ok" if cache.get("health-check") == "1" else "error: no round trip"
    except Exception as exc:
        checks["cache"] = f"error: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )
