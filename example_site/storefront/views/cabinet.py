"""The customer's cabinet: dashboard with the spending chart, orders, addresses, favourites."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shop_cabinet import selectors
from shop_cabinet.exceptions import CabinetError
from shop_cabinet.models import Address
from shop_cabinet.services import create_address, delete_address, set_default_address
from shop_orders.models import Order
from shop_orders.selectors import monthly_totals

from ..charts import HEIGHT, WIDTH, spending_bars
from ..forms import AddressForm

ORDERS_PER_PAGE = 10


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    data = selectors.dashboard(request.user)
    months = monthly_totals(request.user, months=12)
    context = {
        "data": data,
        "bars": spending_bars(months),
        "chart": {"width": WIDTH, "height": HEIGHT},
    }
    return render(request, "storefront/cabinet/dashboard.html", context)


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    history = selectors.order_history(request.user)
    page = Paginator(history, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "storefront/cabinet/orders.html", {"page": page})


@login_required
def order(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        found = selectors.order_of(request.user, pk)
    except Order.DoesNotExist:
        raise Http404 from None
    return render(request, "storefront/cabinet/order.html", {"order": found})


@login_required
def addresses(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                create_address(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The address is saved."))
                return redirect("storefront:addresses")
    context = {"addresses": selectors.addresses_of(request.user), "form": form}
    return render(request, "storefront/cabinet/addresses.html", context, status=status)


def own_address(request: HttpRequest, pk: int) -> Address:
    try:
        return selectors.addresses_of(request.user).get(pk=pk)
    except Address.DoesNotExist:
        raise Http404 from None


@login_required
@require_POST
def address_default(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        set_default_address(address=own_address(request, pk))
    except Address.DoesNotExist:
        raise Http404 from None
    return redirect("storefront:addresses")


@login_required
@require_POST
def address_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        delete_address(address=own_address(request, pk))
    except Address.DoesNotExist:
        raise Http404 from None
    except CabinetError as exc:
        messages.error(request, str(exc.detail))
    return redirect("storefront:addresses")


@login_required
def favourites(request: HttpRequest) -> HttpResponse:
    favourites = selectors.favourites_of(request.user)
    return render(request, "storefront/cabinet/favourites.html", {"favourites": favourites})
