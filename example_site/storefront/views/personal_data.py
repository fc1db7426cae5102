"""The cabinet's personal-data page: ask for the archive, watch its state, download it.

The archive is the cabinet package's export (``request_export``: at most one
pending per user, built by the task worker; ``exports_of``: only the user's own).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shop_cabinet.models import PersonalDataExport
from shop_cabinet.selectors import exports_of
from shop_cabinet.services import request_export

SHOWN_EXPORTS = 5


@login_required
def personal_data(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        request_export(user=request.user)
        messages.success(request, _("Your data is being prepared."))
        return redirect("storefront:personal_data")
    exports = list(exports_of(request.user).order_by("-created")[:SHOWN_EXPORTS])
    context = {
        "exports": exports,
        "preparing": any(job.status == PersonalDataExport.Status.PENDING for job in exports),
    }
    return render(request, "storefront/cabinet/personal_data.html", context)


@login_required
def download(request: HttpRequest, pk: str) -> HttpResponse:
    """A prepared archive of the user's own, as a JSON attachment no cache keeps."""
    try:
        job = exports_of(request.user).get(pk=pk, status=PersonalDataExport.Status.READY)
    except PersonalDataExport.DoesNotExist:
        raise Http404 from None
    response = HttpResponse(
        json.dumps(job.data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    name = f"personal-data-{timezone.localdate(job.finished):%Y%m%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
