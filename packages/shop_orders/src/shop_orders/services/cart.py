"""Cart use cases: add, change, remove, clear. Each checks stock, the shop and amounts.

Every write locks the user's ``Cart`` row first (``select_for_update``), and
checkout holds that lock from reading the lines to deleting them, so a cart
never changes under a checkout and concurrent writes to one cart queue up.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shop_catalog.models import SHOP_CLOSED, Offer
from shop_core.bounds import MONEY_MAX, money_fits

from ..conf import app_settings
from ..exceptions import CartError
from ..models import Cart, CartLine


def get_cart(*, user: Any) -> Cart:
    """The user's cart, created on first use."""
    cart, _created = Cart.objects.get_or_create(user=user)
    return cart


def lock_cart(*, user: Any, create: bool = False) -> Cart | None:
    """The user's cart row, locked until the transaction ends (``None`` if there is none).

    Call inside ``transaction.atomic()``; ``create=True`` creates a missing cart.
    """
    carts = Cart.objects.select_for_update()
    if create:
        return carts.get_or_create(user=user)[0]
    return carts.filter(user=user).first()


def line_problem(line: CartLine) -> str | None:
    """Why a cart line cannot be ordered now, or ``None``.

    ``inactive`` or ``shop_closed`` (the catalogue's rule,
    ``Offer.orderable_problem``), ``out_of_stock`` or ``amount_too_large``
    (its total at the current price does not fit an order). Needs
    ``line.offer.shop``.
    """
    offer = line.offer
    if offer.orderable_problem:
        return offer.orderable_problem
    if line.quantity > offer.quantity:
        return "out_of_stock"
    if not money_fits(line.total):
        return "amount_too_large"
    return None


def amounts_fit(amounts: Iterable[Decimal]) -> bool:
    """Whether each amount and their sum fit an amount column (``MONEY_MAX``)."""
    amounts = list(amounts)
    return all(map(money_fits, amounts)) and money_fits(sum(amounts, Decimal(0)))


def _check_quantity(quantity: Any) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise CartError(
            _("Quantity must be a positive whole number."),
            field="quantity",
            code="invalid_quantity",
        )
    return _check_max_quantity(quantity)


def _check_max_quantity(quantity: int) -> int:
    limit = app_settings.MAX_LINE_QUANTITY
    if quantity > limit:
        raise CartError(
            _("At most %(max)d of one item per order.") % {"max": limit},
            field="quantity",
            code="quantity_too_large",
        )
    return quantity


def _check_offer(offer: Offer, quantity: int) -> None:
    problem = offer.orderable_problem  # the catalogue's rule: inactive, shop_closed
    if problem == SHOP_CLOSED:
        raise CartError(
            _("%(shop)s does not accept orders at the moment.") % {"shop": offer.shop.name},
            field="offer",
            code=problem,
        )
    if problem is not None:
        raise CartError(_("This offer is no longer sold."), field="offer", code=problem)
    if quantity > offer.quantity:
        raise CartError(
            _("Only %(available)d left in stock.") % {"available": offer.quantity},
            field="quantity",
            code="out_of_stock",
        )


def _check_amounts(line_amount: Decimal, other_amounts: list[Decimal]) -> None:
    """The line total and the cart total must fit an order (checkout checks again)."""
    if not amounts_fit([line_amount, *other_amounts]):
        raise CartError(
            _("The total would exceed %(max)s.") % {"max": MONEY_MAX},
            field="quantity",
            code="amount_too_large",
        )


def _other_amounts(cart_id: int, offer: Offer) -> list[Decimal]:
    others = CartLine.objects.filter(cart_id=cart_id).exclude(offer=offer)
    return [price * n for n, price in others.values_list("quantity", "offer__price")]


def add_line(*, user: Any, offer_id: int, quantity: int = 1) -> CartLine:
    """Put ``quantity`` more of an offer into the user's cart.

    Adds to the line of that offer if there is one. Raises ``CartError`` for
    a non-positive quantity or one above ``MAX_LINE_QUANTITY``, an unknown or
    inactive offer, a shop that does not accept orders, a total above the
    stock, or amounts an order could not hold.
    """
    _check_quantity(quantity)
    offer = Offer.objects.select_related("shop", "product").filter(pk=offer_id).first()
    if offer is None:
        raise CartError(_("No such offer."), field="offer", code="does_not_exist")
    lines = add_offer(user=user, offer=offer, quantity=quantity)
    return next(line for line in lines if line.offer_id == offer.pk)


def add_offer(*, user: Any, offer: Offer, quantity: int = 1) -> list[CartLine]:
    """``add_line`` for an offer already read (with ``shop`` and ``product``).

    Returns the cart's lines after the add, read under the cart lock with
    offer, shop and product, in the cart's order (``selectors.cart_lines``).
    """
    quantity = _check_quantity(quantity)
    with transaction.atomic():
        cart = lock_cart(user=user, create=True)
        lines = list(
            CartLine.objects.filter(cart=cart).select_related("offer__shop", "offer__product")
        )
        line = next((line for line in lines if line.offer_id == offer.pk), None)
        new_quantity = _check_max_quantity(quantity + (line.quantity if line else 0))
        _check_offer(offer, new_quantity)
        _check_amounts(
            offer.price * new_quantity,
            [other.total for other in lines if other.offer_id != offer.pk],
        )
        if line is None:
            line = CartLine.objects.create(cart=cart, offer=offer, quantity=new_quantity)
            lines.append(line)
        else:
            line.quantity = new_quantity
            line.save(update_fields=["quantity"])
    line.offer = offer
    return lines


def _line_of(user: Any, line_id: Any) -> CartLine:
    line = (
        CartLine.objects.select_related("offer__shop", "offer__product")
        .filter(pk=line_id, cart__user=user)
        .first()
    )
    if line is None:
        raise CartLine.DoesNotExist
    return line


def change_line(*, user: Any, line_id: int, quantity: int) -> CartLine:
    """Set the quantity of one of the user's cart lines.

    Raises ``CartLine.DoesNotExist`` for a line of another user and
    ``CartError`` for a bad quantity, one above the stock, or amounts an
    order could not hold.
    """
    quantity = _check_quantity(quantity)
    with transaction.atomic():
        lock_cart(user=user)
        line = _line_of(user, line_id)
        _check_offer(line.offer, quantity)
        _check_amounts(line.offer.price * quantity, _other_amounts(line.cart_id, line.offer))
        # Conditional: the line may be gone meanwhile (the admin, another
        # device), which is a 404, not an error.
        if not CartLine.objects.filter(pk=line.pk).update(quantity=quantity):
            raise CartLine.DoesNotExist
    line.quantity = quantity
    return line


def remove_line(*, user: Any, line_id: int) -> None:
    """Delete one of the user's cart lines (``CartLine.DoesNotExist`` otherwise)."""
    with transaction.atomic():
        lock_cart(user=user)
        deleted, _rows = CartLine.objects.filter(pk=line_id, cart__user=user).delete()
    if not deleted:
        raise CartLine.DoesNotExist


def clear_cart(*, user: Any) -> int:
    """Empty the user's cart; returns the number of lines removed."""
    with transaction.atomic():
        lock_cart(user=user)
        deleted, _rows = CartLine.objects.filter(cart__user=user).delete()
    return deleted
