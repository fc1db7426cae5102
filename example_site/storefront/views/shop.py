"""Home, catalogue and product pages, adding to the cart, favourites."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shop_cabinet import selectors as cabinet_selectors
from shop_cabinet.services import add_favourite, remove_favourite
from shop_catalog.filters import ProductFilter
from shop_catalog.models import Product
from shop_catalog.selectors import category_tree, parameter_choices, product_list, products
from shop_core.errors import ShopError
from shop_orders.services import add_line

from ..context import cart_count
from ..forms import AddToCartForm

PAGE_SIZE = 12
SORTING = [
    ("", gettext_lazy("Default")),
    ("price", gettext_lazy("Price: low to high")),
    ("-price", gettext_lazy("Price: high to low")),
    ("name", gettext_lazy("Name")),
    ("newest", gettext_lazy("Newest")),
]


def home(request: HttpRequest) -> HttpResponse:
    newest = product_list().order_by("-created", "-pk")[:4]
    return render(request, "storefront/home.html", {"tree": category_tree(), "newest": newest})


def flat_categories(nodes: list[dict], depth: int = 0) -> list[dict]:
    """The category tree as one list, each name indented by its depth (for a select)."""
    flat = []
    for node in nodes:
        flat.append({"id": node["id"], "name": node["name"], "indent": "\u00a0\u00a0" * depth})
        flat.extend(flat_categories(node["children"], depth + 1))
    return flat


def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue package's own filter set over its public product list."""
    data = request.GET.copy()
    data.setlist("parameter", [value for value in data.getlist("parameter") if value])  # "Any"
    filterset = ProductFilter(data or None, queryset=product_list())
    valid = filterset.is_valid() if filterset.is_bound else True
    products: QuerySet = filterset.qs if valid else Product.objects.none()
    if not products.ordered:
        products = products.order_by("name", "pk")
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "errors": filterset.errors if not valid else {},
        "page": page,
        "query": query.urlencode(),
        "categories": flat_categories(category_tree()),
        "chosen": {
            "category": request.GET.get("category", ""),
            "parameters": data.getlist("parameter"),
            "ordering": request.GET.get("ordering", ""),
        },
        "parameters": parameter_choices(request.GET.get("category") if valid else None),
        "sorting": SORTING,
    }
    template = "storefront/_results.html" if request.htmx else "storefront/catalogue.html"
    return render(request, template, context, status=200 if valid else 400)


def product(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = product_list().get(pk=pk)
    except Product.DoesNotExist:
        raise Http404 from None
    favourite = cabinet_selectors.is_favourite(request.user, pk)
    offers = sorted(item.offers.all(), key=lambda offer: (offer.price, offer.pk))
    return render(
        request,
        "storefront/product.html",
        {"product": item, "offers": offers, "favourite": favourite},
    )


def next_page(request: HttpRequest, default: str) -> str:
    """The page a form came from (``next``), if it is one of this site's."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else reverse(default)


@require_POST
def add_to_cart(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        query = urlencode({"next": next_page(request, "storefront:catalogue")})
        return redirect(f"{reverse('account_login')}?{query}")
    form = AddToCartForm(request.POST)
    error = None
    if form.is_valid():
        try:
            add_line(
                user=request.user,
                offer_id=form.cleaned_data["offer"],
                quantity=form.cleaned_data["quantity"],
            )
        except ShopError as exc:
            error = str(exc.detail)
    else:
        error = _("Choose a quantity from 1.")
    if request.htmx:
        context = {"error": error, "cart_count": cart_count(request.user)}
        return render(request, "storefront/_added.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
        return redirect(next_page(request, "storefront:cart"))
    messages.success(request, _("Added to the cart."))
    return redirect("storefront:cart")


@login_required
@require_POST
def toggle_favourite(request: HttpRequest, pk: int) -> HttpResponse:
    if remove_favourite(user=request.user, product_id=pk):
        favourite = False
    else:
        add_favourite(user=request.user, product=get_object_or_404(products(), pk=pk))
        favourite = True
    if request.htmx:
        return render(request, "storefront/_favourite.html", {"pk": pk, "favourite": favourite})
    return redirect("storefront:product", pk=pk)
