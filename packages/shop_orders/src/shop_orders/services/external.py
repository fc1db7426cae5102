"""Orders of things sold outside the catalogue (public API; see the README).

Another package sells something of its own through an order - a booking
paid for like goods - without this package importing it: it names each item
by ``source`` (who sells it, e.g. ``"shop_bookings.booking"``) and
``reference`` (the seller's id). Such an order has no offer, takes no stock
and has one part with no shop, which no supplier sees; it is numbered,
totalled, listed, notified and canceled like any other (the one cancel rule).

A reference is held by one live order at most (a partial unique constraint
on the lines; canceling the order releases it), so two concurrent calls for
the same item make one order; the same ``idempotency_key`` returns the same
order. When an order holding external items becomes canceled, by any path,
``signals.external_item_canceled`` is sent after the commit for each item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import or_
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from shop_core.bounds import MONEY_MAX, money_fits
from shop_core.idempotency import IdempotencyKeyReused, fingerprint

from ..conf import app_settings
from ..exceptions import ExternalItemError, ExternalItemTaken
from ..models import Order, OrderLine, OrderPart, Status, StatusChange
from ..selectors import email_of
from ..signals import order_placed
from .checkout import _prefetched, number_order, replayed_order
from .status import cancel_order

SOURCE_MAX_LENGTH = REFERENCE_MAX_LENGTH = 100
TITLE_MAX_LENGTH = 255


@dataclass(frozen=True)
class ExternalItem:
    """One thing sold outside the catalogue, as an order line."""

    source: str  # who sells it, e.g. "shop_bookings.booking"
    reference: str  # the seller's id, e.g. the booking's pk as str
    title: str
    price: Decimal  # unit price, bounded by shop_core.bounds (amount_too_large)
    quantity: int = 1


def _fail(message: str, code: str, field: str = "items") -> ExternalItemError:
    return ExternalItemError(message, code=code, field=field)


def _check_text(value: Any, max_length: int, name: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise _fail(
            _("Each item needs a %(name)s of 1 to %(max)d characters.")
            % {"name": name, "max": max_length},
            code="invalid_item",
        )
    return value


def _check_price(price: Any) -> Decimal:
    try:
        price = Decimal(price) if isinstance(price, (Decimal, int, str)) else None
    except InvalidOperation:
        price = None
    if isinstance(price, bool) or price is None or not price.is_finite() or price < 0:
        raise _fail(_("A price must be a number of at least 0."), code="invalid_price")
    if price != price.quantize(Decimal("0.01")):
        raise _fail(_("A price has at most two decimal places."), code="invalid_price")
    return price


def _check_items(items: Sequence[ExternalItem]) -> list[ExternalItem]:
    """The items as written (prices as ``Decimal``), or ``ExternalItemError``."""
    if not items:
        raise _fail(_("Nothing to order."), code="no_items")
    checked = []
    for item in items:
        quantity = item.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise _fail(_("Quantity must be a positive whole number."), code="invalid_quantity")
        if quantity > app_settings.MAX_LINE_QUANTITY:
            raise _fail(
                _("At most %(max)d of one item per order.")
                % {"max": app_settings.MAX_LINE_QUANTITY},
                code="quantity_too_large",
            )
        checked.append(
            ExternalItem(
                source=_check_text(item.source, SOURCE_MAX_LENGTH, "source"),
                reference=_check_text(item.reference, REFERENCE_MAX_LENGTH, "reference"),
                title=_check_text(item.title, TITLE_MAX_LENGTH, "title"),
                price=_check_price(item.price),
                quantity=quantity,
            )
        )
    keys = [(item.source, item.reference) for item in checked]
    if len(set(keys)) != len(keys):
        raise _fail(_("The same item is listed twice."), code="duplicate_item")
    amounts = [item.price * item.quantity for item in checked]
    if not all(map(money_fits, amounts)) or not money_fits(sum(amounts, Decimal(0))):
        raise _fail(
            _("The order total would exceed %(max)s.") % {"max": MONEY_MAX},
            code="amount_too_large",
        )
    return checked


def _request(items: list[ExternalItem]) -> str:
    """The fingerprint of what was asked, for the idempotency rule."""
    return fingerprint(
        {
            "external": [
                [item.source, item.reference, item.title, str(item.price), item.quantity]
                for item in items
            ]
        }
    )


def _replay(order: Order, request: str) -> Order:
    if order.request_fingerprint != request:
        raise IdempotencyKeyReused()
    return order


def _write(user: Any, items: list[ExternalItem], key: str, request: str) -> Order:
    total = sum((item.price * item.quantity for item in items), Decimal(0))
    order = Order.objects.create(
        user=user,
        email=email_of(user),
        idempotency_key=key,
        request_fingerprint=request,
        total=total,
    )
    number_order(order)
    part = OrderPart.objects.create(order=order, shop=None, shop_name="", total=total)
    lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            part=part,
            source=item.source,
            reference=item.reference,
            product_name=item.title,
            unit_price=item.price,
            quantity=item.quantity,
        )
        for item in items
    )
    history = [
        StatusChange.objects.create(
            order=order, part=part, from_status="", to_status=Status.NEW, by=user
        )
    ]
    _prefetched(part, "lines", lines)
    _prefetched(order, "parts", [part])
    _prefetched(order, "history", history)
    return order


def order_external_items(
    user: Any, items: Sequence[ExternalItem], *, idempotency_key: str | None = None
) -> Order:
    """One new order of ``items`` for ``user``; sends ``order_placed``.

    The same ``idempotency_key`` with the same items returns that order (and
    writes nothing); with other items it raises ``IdempotencyKeyReused``.
    Raises ``ExternalItemError`` for items that cannot be ordered
    (``no_items``, ``invalid_item``, ``invalid_price``, ``invalid_quantity``,
    ``quantity_too_large``, ``duplicate_item``, ``amount_too_large``) and
    ``ExternalItemTaken`` (``already_ordered``) when a live order holds one
    of them already.
    """
    checked = _check_items(items)
    key = idempotency_key or ""
    request = _request(checked)
    with transaction.atomic():
        existing = replayed_order(user=user, idempotency_key=key)
        if existing is not None:
            return _replay(existing, request)
        try:
            with transaction.atomic():  # a savepoint: the outer transaction survives a loss
                order = _write(user, checked, key, request)
        except IntegrityError:
            # Lost a race: for this key (same order back) or for an item.
            existing = replayed_order(user=user, idempotency_key=key)
            if existing is not None:
                return _replay(existing, request)
            held = reduce(
                or_, (Q(source=item.source, reference=item.reference) for item in checked)
            )
            if OrderLine.objects.filter(held, holds_item=True).exists():
                raise ExternalItemTaken(_("This item is already ordered."), field="items") from None
            raise
        order_placed.send(sender=Order, order=order, user=user)
    return order


def cancel_external(source: str, reference: str, *, by: Any = None) -> Order | None:
    """Cancel the order holding that item (``services.cancel_order``: the one cancel rule).

    Returns the canceled order, ``None`` when no order has that item. Raises
    ``TransitionError`` (``already_canceled``, ``not_cancelable``) when the
    order's state does not allow it. ``external_item_canceled`` follows on commit.
    """
    line = (
        OrderLine.objects.filter(source=source, reference=reference)
        .exclude(source="")
        .select_related("order")
        .order_by("-holds_item", "-pk")
        .first()
    )
    if line is None:
        return None
    cancel_order(order=line.order, by=by)
    line.order.refresh_from_db()
    return line.order
