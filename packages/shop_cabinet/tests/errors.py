"""Reading the one error body of the shop packages in tests."""

from __future__ import annotations

from typing import Any


def problems(response: Any) -> list[tuple[str | None, str]]:
    """``(attr, code)`` of each problem of an error answer, in order.

    Fails unless the body has the shape of the shop's error convention:
    ``{"type": ..., "errors": [{"code", "detail", "attr"}, ...]}``.
    """
    body = response.json()
    assert body.get("type") in ("validation_error", "client_error", "server_error"), body
    assert body["errors"] and all(set(e) == {"code", "detail", "attr"} for e in body["errors"])
    return [(error["attr"], error["code"]) for error in body["errors"]]


def attrs(response: Any) -> set[str | None]:
    """The fields an error answer names."""
    return {attr for attr, _code in problems(response)}


def codes(response: Any) -> set[str]:
    """The codes of an error answer."""
    return {code for _attr, code in problems(response)}
