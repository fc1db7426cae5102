"""Read queries used by the views and by other packages (public API).

Other packages (shop_cabinet) may rely on: ``orders_of``, ``order_detail``,
``order_stats``, ``supplier_parts``, ``cart_lines``. Each runs a constant
number of queries whatever the number of orders and lines.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Prefetch, Q, QuerySet, Sum

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


def order_stats(user: Any) -> dict[str, Any]:
    """The user's order figures in one query.

    ``{"count": int, "by_status": {status: int for every status},
    "total_spent": Decimal (orders not canceled), "last_order_at": datetime | None}``
    """
    aggregates: dict[str, Any] = {
        "count": Count("pk"),
        "total_spent": Sum("total", filter=~Q(status=Status.CANCELED)),
        "last_order_at": Max("created"),
    }
    for status in Status.values:
        aggregates[f"status_{status}"] = Count("pk", filter=Q(status=status))
    if _is_authenticated(user):
        row = Order.objects.filter(user=user).aggregate(**aggregates)
    else:
        row = {"count": 0, "total_spent": None, "last_order_at": None}
    return {
        "count": row["count"],
        "by_status": {status: row.get(f"status_{status}", 0) for status in Status.values},
        "total_spent": row["total_spent"] or Decimal("0.00"),
        "last_order_at": row["last_order_at"],
    }


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
