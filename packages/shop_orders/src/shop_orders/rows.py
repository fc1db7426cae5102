"""Orders as API dicts built from plain rows, without DRF's field machinery.

The order history is the hot read: building its dicts field by field through
nested serializers cost most of the request. These functions give exactly
what ``serializers.OrderSerializer`` gives (a test compares them) from
``values_list`` rows or from instances with ``parts`` and ``lines``
prefetched; the serializers stay the schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rest_framework.fields import DateTimeField, DecimalField

from .models import ADDRESS_FIELDS, Order, OrderLine, OrderPart, Status
from .services import customer_can_cancel

ORDER_COLUMNS = (
    "id",
    "number",
    "status",
    "created",
    "updated",
    "total",
    "email",
    *ADDRESS_FIELDS,
    "comment",
)
PART_COLUMNS = ("id", "order_id", "shop_id", "shop_name", "status", "total")
LINE_COLUMNS = (
    "id",
    "part_id",
    "offer_id",
    "source",
    "reference",
    "product_name",
    "model",
    "shop_name",
    "unit_price",
    "quantity",
)


class OrderRows:
    """Formats as the serializers do: money as DRF's ``DecimalField(12, 2)``, times
    as its ``DateTimeField`` (current time zone), status labels in the active language."""

    def __init__(self) -> None:
        self.money = DecimalField(max_digits=12, decimal_places=2).to_representation
        self.time = DateTimeField().to_representation
        self.labels = {value: str(label) for value, label in Status.choices}

    def line(self, row: Sequence[Any]) -> dict[str, Any]:
        (
            pk,
            _part,
            offer,
            source,
            reference,
            product_name,
            model,
            shop_name,
            unit_price,
            quantity,
        ) = row
        return {
            "id": pk,
            "offer": offer,
            "source": source,
            "reference": reference,
            "product_name": product_name,
            "model": model,
            "shop_name": shop_name,
            "unit_price": self.money(unit_price),
            "quantity": quantity,
            "total": self.money(unit_price * quantity),
        }

    def part(self, row: Sequence[Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
        pk, _order, shop, shop_name, status, total = row
        return {
            "id": pk,
            "shop": shop,
            "shop_name": shop_name,
            "status": status,
            "status_display": self.labels.get(status, status),
            "total": self.money(total),
            "lines": lines,
        }

    def order(self, row: Sequence[Any], parts: list[dict[str, Any]]) -> dict[str, Any]:
        values = dict(zip(ORDER_COLUMNS, row, strict=True))
        status = values["status"]
        return {
            "id": values["id"],
            "number": values["number"],
            "status": status,
            "status_display": self.labels.get(status, status),
            "created": self.time(values["created"]),
            "updated": self.time(values["updated"]),
            "total": self.money(values["total"]),
            "email": values["email"],
            "address": {name: values[name] for name in ADDRESS_FIELDS},
            "comment": values["comment"],
            "parts": parts,
            "can_cancel": customer_can_cancel(part["status"] for part in parts),
        }

    def orders(
        self,
        orders: Iterable[Sequence[Any]],
        parts: Iterable[Sequence[Any]],
        lines: Iterable[Sequence[Any]],
    ) -> list[dict[str, Any]]:
        """Rows of ``ORDER_COLUMNS``, ``PART_COLUMNS`` (in display order) and
        ``LINE_COLUMNS`` (by pk) -> order dicts."""
        lines_of: dict[int, list[dict[str, Any]]] = {}
        for row in lines:
            lines_of.setdefault(row[1], []).append(self.line(row))
        parts_of: dict[int, list[dict[str, Any]]] = {}
        for row in parts:
            parts_of.setdefault(row[1], []).append(self.part(row, lines_of.get(row[0], [])))
        return [self.order(row, parts_of.get(row[0], [])) for row in orders]


def order_dicts(orders: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """API dicts of order rows (``ORDER_COLUMNS``): two more queries, for all parts and lines."""
    ids = [row[0] for row in orders]
    if not ids:
        return []
    parts = (
        OrderPart.objects.filter(order_id__in=ids)
        .order_by("shop_name", "pk")
        .values_list(*PART_COLUMNS)
    )
    lines = OrderLine.objects.filter(order_id__in=ids).order_by("pk").values_list(*LINE_COLUMNS)
    return OrderRows().orders(orders, parts, lines)


def order_dict(order: Order) -> dict[str, Any]:
    """The API dict of an order with ``parts`` and their ``lines`` prefetched (no query)."""
    parts = list(order.parts.all())
    return OrderRows().orders(
        [[getattr(order, name) for name in ORDER_COLUMNS]],
        [[getattr(part, name) for name in PART_COLUMNS] for part in parts],
        [
            [getattr(line, name) for name in LINE_COLUMNS]
            for part in parts
            for line in part.lines.all()
        ],
    )[0]
