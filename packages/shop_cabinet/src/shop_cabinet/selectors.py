"""Read queries used by the views (and by other packages: see the README)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.cache import caches
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from shop_catalog.models import ProductImage
from shop_orders.models import Order
from shop_orders.selectors import last_order, monthly_totals, order_detail, order_stats, orders_of

from .conf import app_settings
from .hooks import CustomerKind
from .models import Address, Favourite, PersonalDataExport

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")


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
    images and ``min_price`` (the catalogue's lowest price of its orderable
    offers, or None) loaded: a constant number of queries whatever the number
    of favourites."""
    return (
        Favourite.objects.filter(user_id=user.pk)
        .select_related("product__category")
        .annotate(min_price=F("product__min_price"))
        .prefetch_related(
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "pk"))
        )
    )


def is_favourite(user: Any, product_id: Any) -> bool:
    """Whether the product is among the user's favourites (False for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Favourite.objects.filter(user_id=user.pk, product_id=product_id).exists()


# --- orders ------------------------------------------------------------------
# Orders are read only through shop_orders' public selectors: the cabinet keeps
# no second implementation of the history or of the order figures.


def order_history(user: Any) -> QuerySet[Order]:
    """The user's orders, newest first, with parts and lines (``orders_of``)."""
    return orders_of(user)


def order_of(user: Any, pk: Any) -> Order:
    """One of the user's orders with parts, lines and history; raises
    ``Order.DoesNotExist`` for another user's order (the view answers 404)."""
    return order_detail(user=user, pk=pk)


# --- dashboard -------------------------------------------------------------------


def customer_kind(user: Any) -> CustomerKind:
    """What ``CUSTOMER_KIND_RESOLVER`` says of ``user``: ``None`` (a private
    customer) or anything with ``kind`` and ``verified`` (``CustomerKind``,
    shop_accounts' ``BusinessProfile``)."""
    found = app_settings.CUSTOMER_KIND_RESOLVER(user)
    if found is None:
        return CustomerKind()
    return CustomerKind(kind=str(found.kind), verified=bool(found.verified))


def upcoming_bookings(user: Any, *, now: datetime) -> list[dict[str, Any]] | None:
    """The user's next bookings (``shop_bookings.selectors.upcoming_bookings``) when
    shop_bookings is installed; None otherwise."""
    if not apps.is_installed("shop_bookings"):
        return None
    from shop_bookings.selectors import upcoming_bookings as bookings_selector

    bookings = bookings_selector(user, limit=app_settings.UPCOMING_BOOKINGS_LIMIT, now=now)
    return [
        {
            "id": booking.pk,
            "service": booking.service_name,
            "specialist": str(booking.specialist),
            "start": booking.start,
            "end": booking.end,
            "status": booking.status,
        }
        for booking in bookings
    ]


def _last_order(user: Any) -> dict[str, Any] | None:
    order = last_order(user)
    if order is None:
        return None
    fields = ("number", "status", "total", "created")
    return {"id": order.pk, **{name: getattr(order, name) for name in fields}}


def _finance(user: Any, stats: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The B2B block: spent per month, open amount, average order value."""
    months = monthly_totals(user, months=app_settings.FINANCE_MONTHS, now=now)
    return {
        "spent_per_month": [
            {"month": f"{row['month']:%Y-%m}", "spent": row["total"]} for row in months
        ],
        "open_amount": stats["open_total"],
        "average_order_value": stats["average_total"] or ZERO,
    }


def dashboard(user: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """The cabinet's front page for ``user``: a constant number of queries
    (at most eight) whatever the number of orders. See ``DashboardSerializer``.
    The order figures are shop_orders' (``order_stats``, ``monthly_totals``,
    ``last_order``)."""
    now = now or timezone.now()
    stats = order_stats(user, now=now)
    customer = customer_kind(user)
    return {
        "orders": {
            "count": stats["count"],
            "by_status": stats["by_status"],
            "last": _last_order(user),
        },
        "spent": {"this_month": stats["month_total"], "overall": stats["total_spent"]},
        "favourites_count": Favourite.objects.filter(user_id=user.pk).count(),
        "addresses_count": Address.objects.filter(user_id=user.pk).count(),
        "customer": customer._asdict(),
        "finance": _finance(user, stats, now) if customer.is_verified_business else None,
        "upcoming_bookings": upcoming_bookings(user, now=now),
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
