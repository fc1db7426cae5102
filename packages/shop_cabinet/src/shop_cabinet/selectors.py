"""Read queries used by the views (and by other packages: see the README)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.cache import caches
from django.db.models import Count, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from shop_catalog.models import Offer, ProductImage
from shop_orders.models import Order, Status
from shop_orders.selectors import order_detail, order_stats, orders_of

from .conf import app_settings
from .models import Address, Favourite, PersonalDataExport

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# shop_bookings' statuses that hold a slot (pending, confirmed).
UPCOMING_BOOKING_STATUSES = ("pending", "confirmed")


def addresses_of(user: Any) -> QuerySet[Address]:
    """The user's address book, defaults first within each kind."""
    return Address.objects.filter(user_id=user.pk)


def exports_of(user: Any) -> QuerySet[PersonalDataExport]:
    """The user's background exports: pending ones, and finished ones for
    ``EXPORT_RETENTION_HOURS`` after they finished."""
    cutoff = timezone.now() - timedelta(hours=app_settings.EXPORT_RETENTION_HOURS)
    return PersonalDataExport.objects.filter(
        Q(status=PersonalDataExport.Status.PENDING) | Q(finished__gte=cutoff), user_id=user.pk
    )


def favourites_of(user: Any) -> QuerySet[Favourite]:
    """The user's favourites, newest first, with the product, its category, its
    images and ``min_price`` (lowest active offer price, or None) loaded:
    a constant number of queries whatever the number of favourites."""
    min_price = (
        Offer.objects.filter(product=OuterRef("product_id"), is_active=True)
        .values("product")
        .annotate(p=Min("price"))
        .values("p")
    )
    return (
        Favourite.objects.filter(user_id=user.pk)
        .select_related("product__category")
        .annotate(min_price=Subquery(min_price))
        .prefetch_related(
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "pk"))
        )
    )


# --- orders ------------------------------------------------------------------
# Orders are read through shop_orders' public selectors (orders_of,
# order_detail, order_stats) plus plain aggregates over its Order model.


def order_history(user: Any) -> QuerySet[Order]:
    """The user's orders, newest first, with parts and lines (``orders_of``)."""
    return orders_of(user)


def order_of(user: Any, pk: Any) -> Order:
    """One of the user's orders with parts, lines and history; raises
    ``Order.DoesNotExist`` for another user's order (the view answers 404)."""
    return order_detail(user=user, pk=pk)


def _month_start(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _months_back(start: datetime, months: int) -> datetime:
    year, month = divmod(start.year * 12 + start.month - 1 - months, 12)
    return start.replace(year=year, month=month + 1)


def _spent_per_month(user: Any, now: datetime) -> list[dict[str, Any]]:
    """The last ``FINANCE_MONTHS`` months (oldest first) with what was spent, one query."""
    months = max(int(app_settings.FINANCE_MONTHS), 1)
    this_month = _month_start(now)
    first = _months_back(this_month, months - 1)
    rows = (
        Order.objects.filter(user_id=user.pk, created__gte=first)
        .exclude(status=Status.CANCELED)
        .annotate(month=TruncMonth("created", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(spent=Sum("total"))
        .order_by()
    )
    by_month = {}
    for row in rows:
        month = (
            timezone.localtime(row["month"]) if timezone.is_aware(row["month"]) else row["month"]
        )
        key = (month.year, month.month)
        by_month[key] = by_month.get(key, ZERO) + (row["spent"] or ZERO)
    series = []
    for back in range(months - 1, -1, -1):
        month = _months_back(this_month, back)
        series.append(
            {
                "month": f"{month.year:04d}-{month.month:02d}",
                "spent": by_month.get((month.year, month.month), ZERO),
            }
        )
    return series


def _upcoming_bookings(user: Any, now: datetime) -> list[dict[str, Any]] | None:
    """The user's next pending/confirmed bookings when shop_bookings is installed
    (read through ``apps.get_model``: the cabinet never imports it); None otherwise."""
    if not apps.is_installed("shop_bookings"):
        return None
    booking_model = apps.get_model("shop_bookings", "Booking")
    rows = (
        booking_model._default_manager.filter(
            client_id=user.pk, start__gte=now, status__in=UPCOMING_BOOKING_STATUSES
        )
        .order_by("start", "pk")
        .values("pk", "service_name", "specialist__display_name", "start", "end", "status")
    )[: app_settings.UPCOMING_BOOKINGS_LIMIT]
    return [
        {
            "id": row["pk"],
            "service": row["service_name"],
            "specialist": row["specialist__display_name"],
            "start": row["start"],
            "end": row["end"],
            "status": row["status"],
        }
        for row in rows
    ]


def dashboard(user: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """The cabinet's front page for ``user``: a constant number of queries
    (at most eight) whatever the number of orders. See ``DashboardSerializer``."""
    now = now or timezone.now()
    stats = order_stats(user)
    last = (
        Order.objects.filter(user_id=user.pk)
        .order_by("-created", "-pk")
        .only("pk", "number", "status", "total", "created")
        .first()
    )
    not_canceled = ~Q(status=Status.CANCELED)
    money = Order.objects.filter(user_id=user.pk).aggregate(
        this_month=Sum("total", filter=not_canceled & Q(created__gte=_month_start(now))),
        open_amount=Sum("total", filter=Q(status__in=list(app_settings.OPEN_ORDER_STATUSES))),
        spent_count=Count("pk", filter=not_canceled),
    )
    customer = app_settings.CUSTOMER_KIND_RESOLVER(user)
    finance = None
    if customer.is_verified_business:
        spent_count = money["spent_count"] or 0
        finance = {
            "spent_per_month": _spent_per_month(user, now),
            "open_amount": money["open_amount"] or ZERO,
            "average_order_value": (
                (stats["total_spent"] / spent_count).quantize(CENT) if spent_count else ZERO
            ),
        }
    return {
        "orders": {
            "count": stats["count"],
            "by_status": stats["by_status"],
            "last": (
                {
                    "id": last.pk,
                    "number": last.number,
                    "status": last.status,
                    "total": last.total,
                    "created": last.created,
                }
                if last
                else None
            ),
        },
        "spent": {"this_month": money["this_month"] or ZERO, "overall": stats["total_spent"]},
        "favourites_count": Favourite.objects.filter(user_id=user.pk).count(),
        "addresses_count": Address.objects.filter(user_id=user.pk).count(),
        "customer": {"kind": customer.kind, "verified": customer.verified},
        "finance": finance,
        "upcoming_bookings": _upcoming_bookings(user, now),
    }


def dashboard_cache_key(user_id: Any) -> str:
    return f"shop_cabinet:dashboard:{user_id}"


def cached_dashboard(user: Any) -> dict[str, Any]:
    """``dashboard(user)`` through the cache when ``DASHBOARD_CACHE_TIMEOUT`` is set.

    Order, favourite, address and booking changes drop the user's entry
    (``receivers``); the timeout bounds what no signal reports (a new month).
    """
    timeout = app_settings.DASHBOARD_CACHE_TIMEOUT
    if not timeout:
        return dashboard(user)
    cache = caches[app_settings.DASHBOARD_CACHE_ALIAS]
    key = dashboard_cache_key(user.pk)
    data = cache.get(key)
    if data is None:
        data = dashboard(user)
        cache.set(key, data, timeout)
    return data


def forget_dashboard(user_id: Any) -> None:
    """Drop a user's cached dashboard (no-op when caching is off).

    A cache that is down is logged, never an error of the write that called
    this: the entry then lives until ``DASHBOARD_CACHE_TIMEOUT``.
    """
    if not app_settings.DASHBOARD_CACHE_TIMEOUT or user_id is None:
        return
    try:
        caches[app_settings.DASHBOARD_CACHE_ALIAS].delete(dashboard_cache_key(user_id))
    except Exception:
        logger.warning("Could not drop the cached dashboard of user %s", user_id, exc_info=True)
