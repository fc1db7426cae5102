"""Errors raised by the services; the API turns them into 400/409 answers.

Each carries a machine-readable ``code``, a translated message and, when it
is about one input field, the field's name, so the API can answer with
DRF-style field errors (``{"quantity": ["..."]}``).
"""

from __future__ import annotations

from typing import Any


class OrderError(Exception):
    """Base of every error a service raises on purpose (HTTP 400)."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.code = code or self.default_code
        self.field = field

    def as_data(self) -> dict[str, Any]:
        """The JSON body of the error answer."""
        if self.field:
            return {self.field: [self.message], "code": self.code}
        return {"detail": self.message, "code": self.code}


class CartError(OrderError):
    """A cart change that cannot be made (stock, quantity, shop closed)."""


class CheckoutError(OrderError):
    """A checkout that cannot start (empty cart, bad address)."""


class CartConflict(CheckoutError):
    """The cart cannot be checked out as it is now (HTTP 409); nothing was written.

    ``empty_cart``: nothing in it (also what a checkout racing another one of
    the same cart finds); ``cart_changed``: lines removed while checking out.
    """

    status_code = 409
    default_code = "empty_cart"

    def as_data(self) -> dict[str, Any]:
        # The shape of every checkout 409 (see LinesUnavailable): no line is to blame.
        return {"detail": self.message, "code": self.code, "lines": []}


class LinesUnavailable(CheckoutError):
    """Some cart lines cannot be bought now (HTTP 409); nothing was written.

    ``lines`` lists dicts: ``line``, ``offer``, ``product_name``,
    ``shop_name``, ``requested``, ``available``, ``problem``
    (``out_of_stock``, ``inactive``, ``shop_closed`` or ``amount_too_large``).
    """

    status_code = 409
    default_code = "unavailable"

    def __init__(self, message: str, *, lines: list[dict[str, Any]], code: str | None = None):
        super().__init__(message, code=code)
        self.lines = lines

    def as_data(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code, "lines": self.lines}


class TransitionError(OrderError):
    """A status move the state machine does not allow; nothing changed."""

    default_code = "invalid_transition"
