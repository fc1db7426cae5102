"""Errors raised by the services, each with a stable ``code``.

They are ``shop_core.errors.ShopError``s, so a view on ``ShopAPIMixin``
answers them in the one error shape of the shop packages::

    {"type": "validation_error",
     "errors": [{"code": "out_of_stock", "detail": "Only 3 left in stock.", "attr": "quantity"}]}

An error about one input names it in ``field`` (the ``attr`` of the answer);
an error about the state of the order or cart uses ``NON_FIELD`` (DRF's
``non_field_errors``). The checkout's 409s add ``lines`` beside ``errors``.
Services called without HTTP (the admin, a site's pages) read ``code``,
``field`` and ``str(error)``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.settings import api_settings

from shop_core.errors import ShopError

# The attr of an error about the request as a whole (the order's or cart's state).
NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class OrderError(ShopError):
    """Base of every error a service of this package raises on purpose (HTTP 400)."""

    status_code = 400
    default_code = "invalid"
    default_detail = _("The request cannot be carried out.")


class CartError(OrderError):
    """A cart change that cannot be made (stock, quantity, shop closed)."""


class CheckoutError(OrderError):
    """A checkout that cannot start (bad address, no address resolver)."""


class CartConflict(CheckoutError):
    """The cart cannot be checked out as it is now (HTTP 409); nothing was written.

    ``empty_cart``: nothing in it (also what a checkout racing another one of
    the same cart finds); ``cart_changed``: lines removed while checking out.
    The answer has ``lines: []`` like every checkout 409 (no line is to blame).
    """

    status_code = 409
    default_code = "empty_cart"

    def __init__(self, message: Any = None, *, code: str | None = None) -> None:
        super().__init__(message, code=code, extra={"lines": []})


class LinesUnavailable(CheckoutError):
    """Some cart lines cannot be bought now (HTTP 409); nothing was written.

    ``lines`` lists dicts: ``line``, ``offer``, ``product_name``,
    ``shop_name``, ``requested``, ``available``, ``problem``
    (``out_of_stock``, ``inactive``, ``shop_closed`` or ``amount_too_large``);
    the answer carries them beside ``errors``.
    """

    status_code = 409
    default_code = "unavailable"

    def __init__(
        self, message: Any = None, *, lines: list[dict[str, Any]], code: str | None = None
    ) -> None:
        super().__init__(message, code=code, extra={"lines": lines})
        self.lines = lines


class TransitionError(OrderError):
    """A status move or cancel the state machine does not allow; nothing changed."""

    default_code = "invalid_transition"


class ExternalItemError(OrderError):
    """``services.external``: items that cannot be ordered as given; nothing was written."""

    default_code = "invalid_item"


class ExternalItemTaken(ExternalItemError):
    """An item's ``source`` and ``reference`` are already held by a live order (HTTP 409)."""

    status_code = 409
    default_code = "already_ordered"
