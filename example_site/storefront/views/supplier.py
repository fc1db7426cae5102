"""The supplier's desk: its shops, price-list imports and the order parts of its shops.

Who manages which shop is the catalog's rule (``shops_of``, the ``IS_SUPPLIER``
hook); imports go through the catalog's job service (``submit_import``: small
uploads now, larger ones through the task worker), moves through the order
package's state machine (``move_part``, ``allowed_targets``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shop_catalog.conf import app_settings as catalog_settings
from shop_catalog.models import ImportJob, Shop
from shop_catalog.selectors import import_jobs_of, import_progress, shops_of
from shop_catalog.services import set_accepts_orders, submit_import
from shop_orders.exceptions import TransitionError
from shop_orders.models import OrderPart, Status
from shop_orders.selectors import supplier_parts
from shop_orders.services import allowed_targets, move_part

from ..forms_supplier import AcceptOrdersForm, MoveForm, PartFilterForm, PriceListForm

RECENT_IMPORTS = 10
PARTS_PER_PAGE = 20
RUNNING = (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)
# The buttons' words for the moves the state machine offers (it decides which).
MOVE_LABELS = {
    Status.CONFIRMED: gettext_lazy("Confirm"),
    Status.ASSEMBLED: gettext_lazy("Mark as assembled"),
    Status.SENT: gettext_lazy("Mark as sent"),
    Status.DELIVERED: gettext_lazy("Mark as delivered"),
    Status.CANCELED: gettext_lazy("Cancel this part"),
}


def supplier_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then only users the catalog's ``IS_SUPPLIER`` hook accepts (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not catalog_settings.IS_SUPPLIER(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _desk(request: HttpRequest, form: PriceListForm, status: int = 200) -> HttpResponse:
    context = {
        "shops": shops_of(request.user).order_by("name"),
        "imports": import_jobs_of(request.user).select_related("shop")[:RECENT_IMPORTS],
        "form": form,
    }
    return render(request, "storefront/supplier/desk.html", context, status=status)


@supplier_only
def desk(request: HttpRequest) -> HttpResponse:
    return _desk(request, PriceListForm(user=request.user))


@supplier_only
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    form = PriceListForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        return _desk(request, form, status=400)
    job, _queued = submit_import(
        shop=form.cleaned_data["shop"],
        user=request.user,
        fmt=form.cleaned_data["format"],
        missing=form.cleaned_data["missing"],
        upload=form.cleaned_data["file"],
    )
    return redirect("storefront:supplier_import", pk=job.pk)


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    try:
        return import_jobs_of(request.user).select_related("shop").get(pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404 from None


@supplier_only
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress while it runs (htmx polls the fragment), then its row report."""
    job = _own_job(request, pk)
    context = {"job": job, "running": job.status in RUNNING, "progress": import_progress(job)}
    if request.htmx:
        return render(request, "storefront/supplier/_job.html", context)
    return render(request, "storefront/supplier/import.html", context)


@supplier_only
@require_POST
def accept_orders(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        shop = shops_of(request.user).get(pk=pk)
    except Shop.DoesNotExist:
        raise Http404 from None
    form = AcceptOrdersForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether the shop accepts orders."))
        return _desk(request, PriceListForm(user=request.user), status=400)
    set_accepts_orders(
        shop=shop, accepts_orders=form.cleaned_data["accepts_orders"], user=request.user
    )
    if shop.accepts_orders:
        messages.success(request, _("%(shop)s accepts orders.") % {"shop": shop.name})
    else:
        messages.success(request, _("%(shop)s takes no orders now.") % {"shop": shop.name})
    return redirect("storefront:supplier_desk")


@supplier_only
def parts(request: HttpRequest) -> HttpResponse:
    form = PartFilterForm(request.GET)
    found = supplier_parts(request.user)
    status = 200
    if form.is_valid():
        if form.cleaned_data["status"]:
            found = found.filter(status=form.cleaned_data["status"])
    else:
        status = 400
        found = found.none()
    page = Paginator(found, PARTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "state": form.data.get("status", "")}
    return render(request, "storefront/supplier/parts.html", context, status=status)


def _own_part(request: HttpRequest, pk: int) -> OrderPart:
    try:
        return supplier_parts(request.user).get(pk=pk)
    except OrderPart.DoesNotExist:
        raise Http404 from None


@supplier_only
def part(request: HttpRequest, pk: int) -> HttpResponse:
    found = _own_part(request, pk)
    targets = [
        (target, MOVE_LABELS.get(target) or Status(target).label)
        for target in allowed_targets(found.status)
    ]
    context = {"part": found, "order": found.order, "targets": targets}
    return render(request, "storefront/supplier/part.html", context)


@supplier_only
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    found = _own_part(request, pk)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the offered states."))
        return redirect("storefront:supplier_part", pk=found.pk)
    try:
        move_part(
            part=found,
            to_status=form.cleaned_data["status"],
            by=request.user,
            comment=form.cleaned_data["comment"],
        )
    except TransitionError as exc:
        messages.error(request, str(exc.detail))
    else:
        messages.success(
            request, _("The part is now %(status)s.") % {"status": found.get_status_display()}
        )
    return redirect("storefront:supplier_part", pk=found.pk)
