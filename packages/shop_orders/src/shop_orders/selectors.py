"""Read queries used by the views and by other packages (public API).

Other packages (shop_cabinet) may rely on: ``orders_of``, ``order_detail``,
``with_history``, ``order_stats``, ``monthly_totals``, ``supplier_parts``,
``cart_lines``. Each runs a constant number of queries whatever the number
of orders and lines.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from shop_catalog.selectors import shops_of

from .models import CartLine, Order, OrderLine, OrderPart, Status, StatusChange


def _is_authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _parts_with_lines() -> QuerySet[OrderPart]:
    return OrderPart.objects.order_by("shop_name", "pk").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
    )


def orders_of(user: Any) -> QuerySet[Order]:
    """The user's orders, newest first, with ``parts`` and each part's ``lines``
    prefetched: three queries for any number of orders (one per level).
    Empty for anonymous users."""
    if not _is_authenticated(user):
        return Order.objects.none()
    return (
        Order.objects.filter(user=user)
        .order_by("-created", "-pk")
        .prefetch_related(Prefetch("parts", queryset=_parts_with_lines()))
    )


def with_history(orders: QuerySet[Order]) -> QuerySet[Order]:
    """Add the status ``history`` (oldest first) to an order queryset."""
    return orders.prefetch_related(
        Prefetch("history", queryset=StatusChange.objects.order_by("created", "pk"))
    )


def order_detail(*, user: Any, pk: Any) -> Order:
    """One of the user's orders with parts, lines and history.

    Raises ``Order.DoesNotExist`` for an order of another user.
    """
    return with_history(orders_of(user)).get(pk=pk)


ZERO = Decimal("0.00")
OPEN = ~Q(status__in=[Status.DELIVERED, Status.CANCELED])


def order_stats(user: Any) -> dict[str, Any]:
    """The user's order figures in one query.

    ``count`` (all orders), ``by_status`` ({status: count} for every status),
    ``total_spent`` (sum of orders not canceled), ``open_total`` (sum of
    orders neither delivered nor canceled), ``average_total`` (mean of
    orders not canceled, ``None`` without any), ``last_order_at``
    (datetime or ``None``). Sums are ``Decimal``.
    """
    not_canceled = ~Q(status=Status.CANCELED)
    aggregates: dict[str, Any] = {
        "count": Count("pk"),
        "total_spent": Sum("total", filter=not_canceled),
        "alive": Count("pk", filter=not_canceled),
        "open_total": Sum("total", filter=OPEN),
        "last_order_at": Max("created"),
    }
    for status in Status.values:
        aggregates[f"status_{status}"] = Count("pk", filter=Q(status=status))
    row: dict[str, Any] = {"count": 0, "alive": 0}
    if _is_authenticated(user):
        row = Order.objects.filter(user=user).aggregate(**aggregates)
    spent = row.get("total_spent") or ZERO
    return {
        "count": row["count"],
        "by_status": {status: row.get(f"status_{status}", 0) for status in Status.values},
        "total_spent": spent,
        "open_total": row.get("open_total") or ZERO,
        "average_total": (spent / row["alive"]).quantize(ZERO) if row["alive"] else None,
        "last_order_at": row.get("last_order_at"),
    }


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def monthly_totals(user: Any, *, months: int = 12) -> list[dict[str, Any]]:
    """Orders not canceled per calendar month (current time zone), oldest first.

    The last ``months`` months including the current one, months without
    orders included: ``[{"month": date (first day), "count": int, "total": Decimal}]``.
    One query.
    """
    today = timezone.localdate()
    first = _month_start(today, months - 1)
    found: dict[date, dict[str, Any]] = {}
    if _is_authenticated(user):
        since = timezone.make_aware(datetime.combine(first, time.min))
        rows = (
            Order.objects.filter(user=user, created__gte=since)
            .exclude(status=Status.CANCELED)
            .annotate(month=TruncMonth("created"))
            .values("month")
            .annotate(count=Count("pk"), total=Sum("total"))
            .order_by("month")
        )
        for row in rows:
            month = row["month"]
            month = month.date() if isinstance(month, datetime) else month
            found[month] = {"count": row["count"], "total": row["total"] or ZERO}
    result = []
    for back in range(months - 1, -1, -1):
        month = _month_start(today, back)
        figures = found.get(month, {"count": 0, "total": ZERO})
        result.append({"month": month, **figures})
    return result


def supplier_parts(user: Any) -> QuerySet[OrderPart]:
    """Order parts of the shops ``user`` owns or staffs, newest first, with
    their order and lines: three queries for any number of parts."""
    return (
        OrderPart.objects.filter(shop__in=shops_of(user))
        .select_related("order")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))
        .order_by("-order__created", "-pk")
    )


def cart_lines(user: Any) -> QuerySet[CartLine]:
    """The user's cart lines with offer, product and shop (one query)."""
    if not _is_authenticated(user):
        return CartLine.objects.none()
    return CartLine.objects.filter(cart__user=user).select_related("offer__shop", "offer__product")
