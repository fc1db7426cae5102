"""Read queries used by the views and by other packages (public API).

Other packages (shop_cabinet) may rely on: ``orders_of``, ``order_detail``,
``with_history``, ``order_stats``, ``monthly_totals``, ``last_order``,
``supplier_parts``, ``cart_lines``, ``email_of``, ``orders_of_day``. Each runs a
constant number of queries whatever the number of orders and lines.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from shop_catalog.selectors import shops_of

from .models import OPEN_STATUSES, CartLine, Order, OrderLine, OrderPart, Status, StatusChange


def email_of(user: Any) -> str:
    """The user's e-mail through the model's declared e-mail field (``get_email_field_name()``),
    "" without one: any user model, not only those with an ``email`` column."""
    return getattr(user, user.get_email_field_name(), "") or ""


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
NOT_CANCELED = ~Q(status=Status.CANCELED)


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def order_stats(user: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """The user's order figures in one query (what a dashboard shows).

    ``count`` (all orders), ``by_status`` ({status: count} for every status),
    ``total_spent`` (sum of orders not canceled), ``month_total`` (the same
    for orders placed since the first day of ``now``'s calendar month in the
    current time zone; ``now`` defaults to the current time), ``open_total``
    (sum of orders in ``OPEN_STATUSES``: neither delivered nor canceled),
    ``open_count``, ``average_total`` (mean of orders not canceled, ``None``
    without any), ``last_order_at`` (datetime or ``None``). Sums are
    ``Decimal``. Anonymous users get the figures of no orders, without a query.
    """
    since = _local_midnight(_month_start(timezone.localdate(now)))
    # One row per status (at most six), summed here: far cheaper to build than
    # fifteen filtered aggregates.
    rows: list[dict[str, Any]] = []
    if _is_authenticated(user):
        rows = list(
            Order.objects.filter(user=user)
            .values("status")
            .annotate(
                n=Count("pk"),
                amount=Sum("total"),
                month=Sum("total", filter=Q(created__gte=since)),
                last=Max("created"),
            )
            .order_by()
        )
    alive = [row for row in rows if row["status"] != Status.CANCELED]
    open_rows = [row for row in rows if row["status"] in OPEN_STATUSES]
    spent = sum((row["amount"] or ZERO for row in alive), ZERO)
    alive_count = sum(row["n"] for row in alive)
    by_status = {status: 0 for status in Status.values}
    by_status.update({row["status"]: row["n"] for row in rows})
    return {
        "count": sum(row["n"] for row in rows),
        "by_status": by_status,
        "total_spent": spent,
        "month_total": sum((row["month"] or ZERO for row in alive), ZERO),
        "open_total": sum((row["amount"] or ZERO for row in open_rows), ZERO),
        "open_count": sum(row["n"] for row in open_rows),
        "average_total": (spent / alive_count).quantize(ZERO) if alive_count else None,
        "last_order_at": max((row["last"] for row in rows), default=None),
    }


def monthly_totals(
    user: Any, *, months: int = 12, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Orders not canceled per calendar month (current time zone), oldest first.

    The ``months`` months (at least one) up to and including the month of
    ``now`` (default: the current time), months without orders included:
    ``[{"month": date (first day), "count": int, "total": Decimal}]``.
    One query (none for an anonymous user).
    """
    months = max(int(months), 1)
    today = timezone.localdate(now)
    found: dict[date, dict[str, Any]] = {}
    if _is_authenticated(user):
        rows = (
            Order.objects.filter(
                NOT_CANCELED,
                user=user,
                created__gte=_local_midnight(_month_start(today, months - 1)),
            )
            .annotate(month=TruncMonth("created"))
            .values("month")
            .annotate(count=Count("pk"), total=Sum("total"))
            .order_by("month")
        )
        for row in rows:
            month = row["month"]
            month = month.date() if isinstance(month, datetime) else month
            found[month] = {"count": row["count"], "total": row["total"] or ZERO}
    return [
        {"month": month, **found.get(month, {"count": 0, "total": ZERO})}
        for month in (_month_start(today, back) for back in range(months - 1, -1, -1))
    ]


def last_order(user: Any) -> Order | None:
    """The user's newest order (without parts or lines), or ``None``: one query."""
    if not _is_authenticated(user):
        return None
    return Order.objects.filter(user=user).order_by("-created", "-pk").first()


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


def orders_of_day(day: date | None = None, *, latest: int = 5) -> dict[str, Any]:
    """Every customer's orders placed on ``day`` (current time zone; default today),
    for a staff page: ``count``, ``total`` (``Decimal``, orders not canceled),
    ``canceled`` (count) and ``latest`` (the newest ``latest`` orders, with ``user``).
    Two queries."""
    day = day or timezone.localdate()
    start = _local_midnight(day)
    end = _local_midnight(day + timedelta(days=1))
    orders = Order.objects.filter(created__gte=start, created__lt=end)
    figures = orders.aggregate(
        count=Count("pk"),
        total=Sum("total", filter=NOT_CANCELED),
        canceled=Count("pk", filter=Q(status=Status.CANCELED)),
    )
    newest = orders.select_related("user").order_by("-created", "-pk")[: max(latest, 0)]
    return {
        "day": day,
        "count": figures["count"],
        "total": figures["total"] or ZERO,
        "canceled": figures["canceled"],
        "latest": list(newest),
    }
