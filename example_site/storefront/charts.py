"""A bar chart of monthly spending as plain numbers for a server-rendered SVG."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format

WIDTH = 640
HEIGHT = 220
TOP = 20  # room for the value above the tallest bar
BOTTOM = 28  # room for the month labels
GAP = 8


@dataclass(frozen=True)
class Bar:
    label: str
    total: Decimal
    count: int
    x: float
    y: float
    width: float
    height: float

    @property
    def centre(self) -> float:
        return self.x + self.width / 2

    @property
    def value_y(self) -> float:
        return self.y - 4  # the figure just above the bar


def spending_bars(months: Sequence[dict[str, Any]]) -> list[Bar]:
    """One bar per month (``monthly_totals`` rows), scaled to the biggest month."""
    if not months:
        return []
    biggest = max(row["total"] for row in months) or Decimal(1)
    plot = HEIGHT - TOP - BOTTOM
    width = (WIDTH - GAP * (len(months) + 1)) / len(months)
    bars = []
    for index, row in enumerate(months):
        height = float(row["total"] / biggest) * plot
        bars.append(
            Bar(
                label=date_format(row["month"], "M"),
                total=row["total"],
                count=row["count"],
                x=GAP + index * (width + GAP),
                y=TOP + plot - height,
                width=width,
                height=height,
            )
        )
    return bars
