"""Helpers for the packages' tests (import only from tests)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections


def run_at_once(functions: list[Callable[[], Any]]) -> list[Any]:
    """Run each function in its own thread, all released together by a barrier.

    Returns each function's result or the exception it raised, in order.
    Every thread closes its database connections, so a PostgreSQL test
    database can be dropped afterwards.
    """
    barrier = threading.Barrier(len(functions))
    results: list[Any] = [None] * len(functions)

    def run(index: int, function: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = function()
        except Exception as exc:  # collected and asserted by the caller
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def nested_json(depth: int = 1000) -> str:
    """A JSON array nested ``depth`` levels deep (2 KB at 1000): the 500 of old."""
    return "[" * depth + "]" * depth


# Hostile values for any string, number or date field.
HOSTILE_STRINGS = ["", " ", "\x00", "a" * 100_000, "١٢٣٤٥٦", "<script>", "'; DROP TABLE x;--"]
HOSTILE_NUMBERS = [-1, 0, 10**30, "1e400", "NaN", "Infinity", "9999999999.999", 1.5]
HOSTILE_DATES = ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "x"]
