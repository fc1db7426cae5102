"""Checkout: turn the user's cart into an order in one transaction.

Stock is taken with one conditional UPDATE per offer
(``quantity = quantity - n WHERE quantity >= n``); if any of them touches no
row the whole transaction rolls back and ``LinesUnavailable`` (HTTP 409)
names the lines. A check before the write is only there for a friendly
message: the conditional write is what makes overselling impossible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shop_catalog.models import Offer

from ..conf import app_settings
from ..exceptions import CheckoutError, LinesUnavailable
from ..models import CartLine, Order, OrderLine, OrderPart, Status, StatusChange
from ..signals import order_placed

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
    ``ValidationError``. Keys outside ``Order.ADDRESS_FIELDS`` are ignored.
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
        raise CheckoutError(_("No such address."), field="address_id", code="not_found") from exc
    if not isinstance(data, Mapping):
        raise TypeError("SHOP_ORDERS['ADDRESS_RESOLVER'] must return a dict of address fields.")
    return {name: str(data.get(name) or "") for name in Order.ADDRESS_FIELDS}


def replayed_order(*, user: Any, idempotency_key: str) -> Order | None:
    """The order this user already placed with this idempotency key, if any."""
    if not idempotency_key:
        return None
    return Order.objects.filter(user=user, idempotency_key=idempotency_key).first()


def _email_of(user: Any) -> str:
    field = user.get_email_field_name() if hasattr(user, "get_email_field_name") else "email"
    return getattr(user, field, "") or ""


def _line_problem(line: CartLine) -> dict[str, Any] | None:
    offer = line.offer
    if not offer.is_active:
        problem = "inactive"
    elif not offer.shop.accepts_orders:
        problem = "shop_closed"
    elif line.quantity > offer.quantity:
        problem = "out_of_stock"
    else:
        return None
    return _line_report(line, problem, offer.quantity)


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


def checkout(
    *,
    user: Any,
    address: Mapping[str, str],
    email: str = "",
    comment: str = "",
    idempotency_key: str = "",
) -> CheckoutResult:
    """Place an order from the user's cart and empty the cart.

    ``address`` holds ``Order.ADDRESS_FIELDS`` (already validated by the
    caller; the required ones are checked again). With an
    ``idempotency_key`` a repeated call returns the first order with
    ``created=False`` and writes nothing. Raises ``CheckoutError`` (empty
    cart, missing address fields) or ``LinesUnavailable`` (409: inactive
    offer, shop not accepting orders, not enough stock); nothing is written
    then. Sends ``order_placed``.
    """
    missing = [name for name in REQUIRED_ADDRESS_FIELDS if not address.get(name)]
    if missing:
        raise CheckoutError(
            _("The address lacks: %(fields)s.") % {"fields": ", ".join(missing)},
            field="address",
            code="incomplete_address",
        )
    existing = replayed_order(user=user, idempotency_key=idempotency_key)
    if existing is not None:
        return CheckoutResult(existing, False)
    try:
        order = _place_order(
            user=user,
            address=address,
            email=email or _email_of(user),
            comment=comment,
            idempotency_key=idempotency_key,
        )
    except (IntegrityError, CheckoutError):
        # A concurrent request with the same key may have won the race: it then
        # holds the key (IntegrityError here) or already emptied the cart
        # (CheckoutError). Either way answer with its order.
        existing = replayed_order(user=user, idempotency_key=idempotency_key)
        if existing is None:
            raise
        return CheckoutResult(existing, False)
    return CheckoutResult(order, True)


def _place_order(
    *, user: Any, address: Mapping[str, str], email: str, comment: str, idempotency_key: str
) -> Order:
    with transaction.atomic():
        # Offer order keeps row locks in one order across concurrent checkouts (no deadlock).
        lines = list(
            CartLine.objects.filter(cart__user=user)
            .select_related("offer__shop", "offer__product")
            .order_by("offer_id")
        )
        if not lines:
            raise CheckoutError(_("Your cart is empty."), code="empty_cart")
        problems = [p for p in map(_line_problem, lines) if p]
        if problems:
            raise LinesUnavailable(_("Some items cannot be ordered."), lines=problems)

        total = sum((line.offer.price * line.quantity for line in lines), Decimal(0))
        order = Order.objects.create(
            user=user,
            email=email,
            comment=comment,
            idempotency_key=idempotency_key,
            total=total,
            **{name: address.get(name) or "" for name in Order.ADDRESS_FIELDS},
        )
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

        order.number = f"{order.created:%y%m%d}-{order.pk:06d}"
        Order.objects.filter(pk=order.pk).update(number=order.number)

        by_shop: dict[int, list[CartLine]] = {}
        for line in lines:
            by_shop.setdefault(line.offer.shop_id, []).append(line)
        parts = OrderPart.objects.bulk_create(
            [
                OrderPart(
                    order=order,
                    shop=shop_lines[0].offer.shop,
                    shop_name=shop_lines[0].offer.shop.name,
                    total=sum((ln.offer.price * ln.quantity for ln in shop_lines), Decimal(0)),
                )
                for shop_lines in by_shop.values()
            ]
        )
        part_of_shop = {part.shop_id: part for part in parts}
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=order,
                    part=part_of_shop[line.offer.shop_id],
                    offer=line.offer,
                    product_name=line.offer.product.name,
                    model=line.offer.model,
                    shop_name=line.offer.shop.name,
                    external_id=line.offer.external_id,
                    unit_price=line.offer.price,
                    quantity=line.quantity,
                )
                for line in lines
            ]
        )
        StatusChange.objects.bulk_create(
            [
                StatusChange(order=order, part=part, from_status="", to_status=Status.NEW, by=user)
                for part in parts
            ]
        )
        CartLine.objects.filter(pk__in=[line.pk for line in lines]).delete()
        order_placed.send(sender=Order, order=order, user=user)
    return order
