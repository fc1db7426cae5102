"""Cart, checkout and the order confirmation."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shop_cabinet.services import create_address
from shop_core.errors import ShopError
from shop_core.idempotency import IdempotencyKeyReused
from shop_orders.models import CartLine, Order
from shop_orders.selectors import cart_lines, order_detail
from shop_orders.services import change_line, checkout, remove_line, resolve_address
from shop_orders.services.cart import line_problem

from ..forms import AddressForm, CheckoutForm, QuantityForm

# line_problem()'s codes in the customer's words.
PROBLEMS = {
    "inactive": gettext_lazy("no longer offered"),
    "shop_closed": gettext_lazy("the shop takes no orders now"),
    "out_of_stock": gettext_lazy("not enough in stock"),
    "amount_too_large": gettext_lazy("the amount is too large"),
}


def cart_context(user: Any) -> dict[str, Any]:
    """The cart's lines, each with why it cannot be ordered now (or None), and the total."""
    lines = list(cart_lines(user).order_by("added", "pk"))
    rows = []
    for line in lines:
        code = line_problem(line)
        rows.append({"line": line, "problem": PROBLEMS.get(code, code) if code else None})
    return {"rows": rows, "total": sum((line.total for line in lines), start=Decimal(0))}


@login_required
def cart(request: HttpRequest) -> HttpResponse:
    return render(request, "storefront/cart.html", cart_context(request.user))


@login_required
@require_POST
def change_quantity(request: HttpRequest, line_id: int) -> HttpResponse:
    form = QuantityForm(request.POST)
    status = 200
    if not form.is_valid():
        messages.error(request, _("Choose a quantity from 1."))
        status = 400
    else:
        try:
            change_line(user=request.user, line_id=line_id, quantity=form.cleaned_data["quantity"])
        except CartLine.DoesNotExist:  # not a line of this user's cart
            raise Http404 from None
        except ShopError as exc:
            messages.error(request, str(exc.detail))
            status = exc.status_code
    return cart_answer(request, status)


@login_required
@require_POST
def remove(request: HttpRequest, line_id: int) -> HttpResponse:
    try:
        remove_line(user=request.user, line_id=line_id)
    except CartLine.DoesNotExist:
        raise Http404 from None
    except ShopError as exc:
        messages.error(request, str(exc.detail))
        return cart_answer(request, exc.status_code)
    return cart_answer(request, 200)


def cart_answer(request: HttpRequest, status: int) -> HttpResponse:
    """The cart table again for htmx (updated in place), the cart page otherwise."""
    if request.htmx:
        return render(request, "storefront/_cart.html", cart_context(request.user), status=status)
    return redirect("storefront:cart")


@login_required
def checkout_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = CheckoutForm(request.POST or None, user=user)
    # Not required in the browser: a saved address needs none of these fields.
    address_form = AddressForm(request.POST or None, prefix="new", use_required_attribute=False)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            saved = form.cleaned_data["saved_address"]
            if saved is not None or address_form.is_valid():
                try:
                    order = place_order(request, form, address_form)
                except IdempotencyKeyReused as exc:  # sent again after the cart changed
                    form = CheckoutForm(fresh_key(request.POST), user=user)
                    form.add_error(None, _("This form was sent already: see your orders."))
                    status = exc.status_code
                except ShopError as exc:
                    form.add_error(None, str(exc.detail))
                    status = exc.status_code
                except ValidationError as exc:  # the address book refused the new address
                    address_form.add_error(None, exc)
                else:
                    return redirect("storefront:order_placed", pk=order.pk)
    context = {"form": form, "address_form": address_form, **cart_context(user)}
    return render(request, "storefront/checkout.html", context, status=status)


def fresh_key(data: QueryDict) -> QueryDict:
    """The form's data with a new key, so that sending it again places a new order."""
    data = data.copy()
    data["key"] = str(uuid.uuid4())
    return data


def place_order(request: HttpRequest, form: CheckoutForm, address_form: AddressForm) -> Order:
    """Checkout through shop_orders, with a saved address or a new one (saved if asked)."""
    user = request.user
    saved = form.cleaned_data["saved_address"]
    with transaction.atomic():  # a new address is kept only with the order it was given for
        if saved is not None:
            address = resolve_address(user=user, address_id=saved.pk)
        else:
            address = {name: address_form.cleaned_data[name] for name in AddressForm.Meta.fields}
            if form.cleaned_data["save_address"]:
                create_address(user=user, **address)
        result = checkout(
            user=user,
            address=address,
            comment=form.cleaned_data["comment"],
            idempotency_key=str(form.cleaned_data["key"]),
        )
    return result.order


@login_required
def order_placed(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        order = order_detail(user=request.user, pk=pk)
    except Order.DoesNotExist:
        raise Http404 from None
    return render(request, "storefront/order_placed.html", {"order": order})
