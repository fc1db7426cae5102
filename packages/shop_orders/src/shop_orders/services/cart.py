"""Cart use cases: add, change, remove, clear. Each checks stock and the shop."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shop_catalog.models import Offer

from ..exceptions import CartError
from ..models import Cart, CartLine


def get_cart(*, user: Any) -> Cart:
    """The user's cart, created on first use."""
    cart, _created = Cart.objects.get_or_create(user=user)
    return cart


def _check_quantity(quantity: Any) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise CartError(
            _("Quantity must be a positive whole number."),
            field="quantity",
            code="invalid_quantity",
        )
    return quantity


def _check_offer(offer: Offer, quantity: int) -> None:
    if not offer.is_active:
        raise CartError(_("This offer is no longer sold."), field="offer", code="inactive")
    if not offer.shop.accepts_orders:
        raise CartError(
            _("%(shop)s does not accept orders at the moment.") % {"shop": offer.shop.name},
            field="offer",
            code="shop_closed",
        )
    if quantity > offer.quantity:
        raise CartError(
            _("Only %(available)d left in stock.") % {"available": offer.quantity},
            field="quantity",
            code="out_of_stock",
        )


def add_line(*, user: Any, offer_id: int, quantity: int = 1) -> CartLine:
    """Put ``quantity`` more of an offer into the user's cart.

    Adds to the line of that offer if there is one. Raises ``CartError`` for
    a non-positive quantity, an unknown or inactive offer, a shop that does
    not accept orders, or a total above the stock.
    """
    quantity = _check_quantity(quantity)
    offer = Offer.objects.select_related("shop", "product").filter(pk=offer_id).first()
    if offer is None:
        raise CartError(_("No such offer."), field="offer", code="not_found")
    with transaction.atomic():
        cart = get_cart(user=user)
        line = CartLine.objects.select_for_update().filter(cart=cart, offer=offer).first()
        new_quantity = quantity + (line.quantity if line else 0)
        _check_offer(offer, new_quantity)
        if line is None:
            try:
                with transaction.atomic():
                    line = CartLine.objects.create(cart=cart, offer=offer, quantity=new_quantity)
            except IntegrityError:
                # A concurrent request created the line first: add to it instead.
                line = CartLine.objects.select_for_update().get(cart=cart, offer=offer)
                new_quantity = quantity + line.quantity
                _check_offer(offer, new_quantity)
                line.quantity = new_quantity
                line.save(update_fields=["quantity"])
        else:
            line.quantity = new_quantity
            line.save(update_fields=["quantity"])
    line.offer = offer
    return line


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
    ``CartError`` for a non-positive quantity or one above the stock.
    """
    quantity = _check_quantity(quantity)
    line = _line_of(user, line_id)
    _check_offer(line.offer, quantity)
    # A conditional UPDATE: the line may have been removed meanwhile (another
    # device, a checkout emptying the cart), which is a 404, not an error.
    if not CartLine.objects.filter(pk=line.pk).update(quantity=quantity):
        raise CartLine.DoesNotExist
    line.quantity = quantity
    return line


def remove_line(*, user: Any, line_id: int) -> None:
    """Delete one of the user's cart lines (``CartLine.DoesNotExist`` otherwise)."""
    deleted, _rows = CartLine.objects.filter(pk=line_id, cart__user=user).delete()
    if not deleted:
        raise CartLine.DoesNotExist


def clear_cart(*, user: Any) -> int:
    """Empty the user's cart; returns the number of lines removed."""
    deleted, _rows = CartLine.objects.filter(cart__user=user).delete()
    return deleted
