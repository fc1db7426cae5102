"""The start page and the health endpoint of the reference site."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

# (app, label, its operations in the API docs, its page in the storefront)
SHOP_APPS = [
    ("shop_accounts", "Accounts", "/api/docs/#/accounts", "/accounts/login/"),
    ("shop_catalog", "Catalogue", "/api/docs/#/catalog", "/catalogue/"),
    ("shop_orders", "Orders", "/api/docs/#/orders", "/cart/"),
    ("shop_cabinet", "Cabinet", "/api/docs/#/cabinet", "/cabinet/"),
    ("shop_bookings", "Bookings", "/api/docs/#/bookings", "/specialists/"),
]


def start_page(request: HttpRequest) -> HttpResponse:
    installed = [
        {
            "label": label,
            "api": api,
            "page": page,
            "version": apps.get_app_config(name).module.__version__,
        }
        for name, label, api, page in SHOP_APPS
        if apps.is_installed(name)
    ]
    missing = [label for name, label, *_urls in SHOP_APPS if not apps.is_installed(name)]
    context = {"installed": installed, "missing": missing}
    if settings.DEMO_MODE:  # never publish the demo superuser's password in production
        from demo.seed import DEMO_PASSWORD, DEMO_USERS  # the seeding code: demo sites only

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
