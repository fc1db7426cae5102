"""Checkout: turn the user's cart into an order in one transaction.

The cart row is locked first (``select_for_update``) and stays locked until
the lines are deleted, so of several checkouts of one cart only the first
finds its lines: the others find it empty (409 ``empty_cart``) or, sending
the same ``Idempotency-Key`` with the same request, get that order back.

Stock is taken with one conditional UPDATE per offer
(``quantity = quantity - n WHERE quantity >= n``); if any of them touches no
row the whole transaction rolls back and ``LinesUnavailable`` (HTTP 409)
names the lines. A check before the write is only there for a friendly
message: the conditional write is what makes overselling impossible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shop_catalog.catalogue import catalogue_changed
from shop_catalog.models import Offer
from shop_core.bounds import MONEY_MAX
from shop_core.idempotency import IdempotencyKeyReused, fingerprint

from ..conf import app_settings
from ..exceptions import CartConflict, CheckoutError, LinesUnavailable
from ..models import ADDRESS_FIELDS, CartLine, Order, OrderLine, OrderPart, Status, StatusChange
from ..selectors import email_of
from ..signals import order_placed
from .cart import amounts_fit, line_problem, lock_cart

REQUIRED_ADDRESS_FIELDS = ("recipient", "phone", "city", "street", "building")


@dataclass(frozen=True)
class CheckoutResult:
    """The order and whether this call created it (False: idempotent replay)."""

    order: Order
    created: bool


def resolve_address(*, user: Any, address_id: Any) -> dict[str, str]:
    """Address fields for a saved address id, through ``SHOP_ORDERS["ADDRESS_RESOLVER"]``.

    Raises ``CheckoutError`` (field ``address_id``) when no resolver is set or
    the resolver raises ``LookupError``, ``ObjectDoesNotExist`` or
    ``ValidationError``. Keys outside ``ADDRESS_FIELDS`` are ignored.
    """
    resolver = app_settings.ADDRESS_RESOLVER
    if resolver is None:
        raise CheckoutError(
            _("Saved addresses are not supported here; send the address itself."),
            field="address_id",
            code="not_supported",
        )
    try:
        data = resolver(user, address_id)
    except (LookupError, ObjectDoesNotExist, ValidationError) as exc:
        raise CheckoutError(
            _("No such address."), field="address_id", code="does_not_exist"
        ) from exc
    if not isinstance(data, Mapping):
        raise TypeError("SHOP_ORDERS['ADDRESS_RESOLVER'] must return a dict of address fields.")
    return {name: str(data.get(name) or "") for name in ADDRESS_FIELDS}


def replayed_order(*, user: Any, idempotency_key: str) -> Order | None:
    """The order this user already placed with this idempotency key, if any."""
    if not idempotency_key:
        return None
    return Order.objects.filter(user=user, idempotency_key=idempotency_key).first()


def _line_report(line: CartLine, problem: str, available: int) -> dict[str, Any]:
    return {
        "line": line.pk,
        "offer": line.offer_id,
        "product_name": line.offer.product.name,
        "shop_name": line.offer.shop.name,
        "requested": line.quantity,
        "available": available,
        "problem": problem,
    }


def _content(pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """What a cart holds, for the fingerprint: sorted ``[offer id, quantity]`` pairs."""
    return sorted([offer_id, quantity] for offer_id, quantity in pairs)


def _check_same_request(order: Order, request: dict[str, Any], lines: list[CartLine]) -> None:
    """``IdempotencyKeyReused`` unless ``request`` is the one ``order`` was placed by.

    The cart of a retry is the cart now, or, once the first attempt emptied
    it, what the order was placed from.
    """
    if not order.request_fingerprint:  # placed before fingerprints were kept
        return
    content = _content((line.offer_id, line.quantity) for line in lines) or _content(
        order.lines.values_list("offer_id", "quantity")
    )
    if fingerprint({**request, "cart": content}) != order.request_fingerprint:
        raise IdempotencyKeyReused()


def _locked_lines(user: Any) -> list[CartLine]:
    """The user's cart lines, read with the cart row locked until the transaction ends."""
    lock_cart(user=user)
    # Offer order keeps row locks in one order across concurrent checkouts (no deadlock).
    return list(
        CartLine.objects.filter(cart__user=user)
        .select_related("offer__shop", "offer__product")
        .order_by("offer_id")
    )


def _address_snapshot(address: Mapping[str, Any]) -> dict[str, str]:
    """``ADDRESS_FIELDS`` of ``address`` as strings (``incomplete_address`` if one
    that is required is empty)."""
    snapshot = {name: str(address.get(name) or "") for name in ADDRESS_FIELDS}
    missing = [name for name in REQUIRED_ADDRESS_FIELDS if not snapshot[name]]
    if missing:
        raise CheckoutError(
            _("The address lacks: %(fields)s.") % {"fields": ", ".join(missing)},
            field="address",
            code="incomplete_address",
        )
    return snapshot


def checkout(
    *,
    user: Any,
    address: Mapping[str, str],
    email: str = "",
    comment: str = "",
    idempotency_key: str = "",
) -> CheckoutResult:
    """Place an order from the user's cart and empty the cart.

    ``address`` holds ``ADDRESS_FIELDS`` (already validated by the
    caller; the required ones are checked again). With an
    ``idempotency_key`` already used by this user, the same request (address,
    e-mail, comment, cart: see the README) returns that order with
    ``created=False`` and writes nothing; another request raises
    ``IdempotencyKeyReused`` (422). Raises ``CheckoutError`` (missing address
    fields), ``CartConflict`` (409: empty cart, or lines removed meanwhile) or
    ``LinesUnavailable`` (409: inactive offer, shop not accepting orders, not
    enough stock, amounts too large); nothing is written then. Sends
    ``order_placed``.
    """
    request = {
        "address": _address_snapshot(address),
        "email": email or email_of(user),
        "comment": comment,
    }
    with transaction.atomic():
        lines = _locked_lines(user)
        existing = replayed_order(user=user, idempotency_key=idempotency_key)
        if existing is not None:
            _check_same_request(existing, request, lines)
            return CheckoutResult(existing, False)
        order = _place_order(
            user=user, lines=lines, request=request, idempotency_key=idempotency_key
        )
    return CheckoutResult(order, True)


def _check_lines(lines: list[CartLine]) -> dict[int, Decimal]:
    """Each shop's total; ``CartConflict`` or ``LinesUnavailable`` when they cannot be ordered."""
    if not lines:
        raise CartConflict(_("Your cart is empty."), code="empty_cart")
    problems = [
        _line_report(line, problem, line.offer.quantity)
        for line in lines
        if (problem := line_problem(line))
    ]
    if problems:
        raise LinesUnavailable(_("Some items cannot be ordered."), lines=problems)
    part_totals: dict[int, Decimal] = {}
    for line in lines:
        shop_id = line.offer.shop_id
        part_totals[shop_id] = part_totals.get(shop_id, Decimal(0)) + line.total
    if not amounts_fit(part_totals.values()):
        raise LinesUnavailable(
            _("The order total would exceed %(max)s; order fewer items at once.")
            % {"max": MONEY_MAX},
            lines=[_line_report(line, "amount_too_large", line.offer.quantity) for line in lines],
            code="amount_too_large",
        )
    return part_totals


def _take_stock(lines: list[CartLine]) -> None:
    """One conditional UPDATE per offer (``quantity >= n``); ``LinesUnavailable`` if any fails.

    This write, not the check before it, is what makes overselling impossible.
    """
    failed = [
        line
        for line in lines
        if not Offer.objects.filter(pk=line.offer_id, quantity__gte=line.quantity).update(
            quantity=F("quantity") - line.quantity
        )
    ]
    if failed:
        left = dict(
            Offer.objects.filter(pk__in=[line.offer_id for line in failed]).values_list(
                "pk", "quantity"
            )
        )
        raise LinesUnavailable(
            _("Some items sold out while you were checking out."),
            lines=[_line_report(line, "out_of_stock", left[line.offer_id]) for line in failed],
            code="out_of_stock",
        )
    catalogue_changed()  # cached catalogue pages show stock: an UPDATE sends no signal


def _create_order(
    *,
    user: Any,
    lines: list[CartLine],
    request: dict[str, Any],
    idempotency_key: str,
    total: Decimal,
) -> Order:
    """The order row with its contact, address snapshot, key, fingerprint and number."""
    order = Order.objects.create(
        user=user,
        email=request["email"],
        comment=request["comment"],
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint(
            {**request, "cart": _content((line.offer_id, line.quantity) for line in lines)}
        ),
        total=total,
        **request["address"],
    )
    number_order(order)
    return order


def number_order(order: Order) -> None:
    """Give a new order its number (date and id): one UPDATE."""
    order.number = f"{order.created:%y%m%d}-{order.pk:06d}"
    Order.objects.filter(pk=order.pk).update(number=order.number)


def _snapshot_line(order: Order, part: OrderPart, line: CartLine) -> OrderLine:
    offer = line.offer
    return OrderLine(
        order=order,
        part=part,
        offer=offer,
        product_name=offer.product.name,
        model=offer.model,
        shop_name=offer.shop.name,
        external_id=offer.external_id,
        unit_price=offer.price,
        quantity=line.quantity,
    )


def _write_parts(
    *, order: Order, user: Any, lines: list[CartLine], part_totals: dict[int, Decimal]
) -> None:
    """One part per shop with its subtotal, the snapshot lines, the first history rows.

    What was written is left in ``order``'s prefetch cache (``parts`` with their
    ``lines``, ``history``), so the answer and the notifications read nothing back.
    """
    shops = {line.offer.shop_id: line.offer.shop for line in lines}
    parts = OrderPart.objects.bulk_create(
        [
            OrderPart(order=order, shop=shop, shop_name=shop.name, total=part_totals[shop_id])
            for shop_id, shop in shops.items()
        ]
    )
    part_of_shop = {part.shop_id: part for part in parts}
    order_lines = OrderLine.objects.bulk_create(
        [_snapshot_line(order, part_of_shop[line.offer.shop_id], line) for line in lines]
    )
    history = StatusChange.objects.bulk_create(
        [
            StatusChange(order=order, part=part, from_status="", to_status=Status.NEW, by=user)
            for part in parts
        ]
    )
    parts.sort(key=lambda part: (part.shop_name, part.pk))  # as selectors.orders_of reads them
    for part in parts:
        _prefetched(part, "lines", [line for line in order_lines if line.part_id == part.pk])
    _prefetched(order, "parts", parts)
    _prefetched(order, "history", history)


def _prefetched(instance: Any, name: str, objects: list[Any]) -> None:
    """Fill ``instance.<name>.all()`` with ``objects`` as ``prefetch_related`` does."""
    queryset = getattr(instance, name).get_queryset()
    queryset._result_cache = objects
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def _empty_cart(lines: list[CartLine]) -> None:
    """Delete the lines the order was made from; ``CartConflict`` if some were gone.

    Every cart write locks the cart, so this holds; it also guards writers
    that do not (the admin): lines gone meanwhile undo the whole order.
    """
    deleted, _rows = CartLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
    if deleted != len(lines):
        raise CartConflict(
            _("Your cart changed while you were checking out; review it and try again."),
            code="cart_changed",
        )


def _place_order(
    *, user: Any, lines: list[CartLine], request: dict[str, Any], idempotency_key: str
) -> Order:
    """Write the order from ``lines`` (read under the cart lock); call inside the transaction."""
    part_totals = _check_lines(lines)
    order = _create_order(
        user=user,
        lines=lines,
        request=request,
        idempotency_key=idempotency_key,
        total=sum(part_totals.values(), Decimal(0)),
    )
    _take_stock(lines)
    _write_parts(order=order, user=user, lines=lines, part_totals=part_totals)
    _empty_cart(lines)
    order_placed.send(sender=Order, order=order, user=user)
    return order
