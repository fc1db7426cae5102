"""Filters of the order history: shop_orders' own ``OrderFilter`` (its public API),
so both order lists take the same parameters:
``?status=new&status=sent&created_after=2025-01-01&created_before=2025-12-31&total_min=100&total_max=5000``.

Its dates are held to the shop-wide bounds (``shop_core.bounds``: years
1970-9000; outside is a 400 on ``created`` with code ``out_of_range``), which
the cabinet's tests assert on its own endpoint.
"""

from __future__ import annotations

from shop_orders.filters import OrderFilter as OrderHistoryFilter

__all__ = ["OrderHistoryFilter"]
