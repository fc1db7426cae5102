"""Errors on ``/api/`` paths are JSON with a stable ``code``, never an HTML page.

- ``handler400`` / ``handler403`` / ``handler404`` / ``handler500`` (named in
  ``urls.py``): Django's own error pages elsewhere, ``{"detail", "code"}``
  on API paths.
- ``BodySizeLimitMiddleware``: a body larger than the site accepts is a 413
  before anything reads it. Django raises ``RequestDataTooBig`` lazily, when
  the body is first read (by a middleware or a view); that is a 413 too.
- ``exception_handler`` (DRF's ``EXCEPTION_HANDLER``): DRF's answers without
  a code (401, 403, 404, 405, 429, ...) get the code of their exception.

Codes: ``bad_request``, ``too_many_fields``, ``too_large``,
``permission_denied``, ``not_found``, ``server_error``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from shop_core.parsers import TooDeep

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def error_response(status: int, code: str, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def too_large() -> JsonResponse:
    return error_response(413, "too_large", _("The request body is too large."))


# --- Django's error handlers -------------------------------------------------


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # Raised while the body was read; the status says what is wrong.
        return too_large() if is_api(request) else HttpResponse(status=413)
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        return error_response(400, "too_many_fields", _("The request has too many fields."))
    return error_response(400, "bad_request", _("Bad request."))


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return error_response(403, "permission_denied", _("Access to this address is not allowed."))


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return error_response(404, "not_found", _("Nothing is found at this address."))


def handler500(request: HttpRequest) -> HttpResponse:
    if not is_api(request):
        return defaults.server_error(request)
    return error_response(
        500, "server_error", _("The server failed to answer; the error is logged.")
    )


# --- Body size -------------------------------------------------------------------


def declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class BodySizeLimitMiddleware:
    """413 (JSON on API paths) for bodies the site does not accept.

    A body that is not multipart may hold at most
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes: a JSON parser reads it whole into
    memory, so a 50 MB ``[[[[...`` is refused by its declared length before
    it is read. A multipart body (file uploads) may hold at most
    ``SHOP_MAX_UPLOAD_BYTES``; its non-file fields are held to
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` by Django when they are read.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = declared_length(request)
        if length and length > self.limit(request):
            return too_large() if is_api(request) else HttpResponse(status=413)
        return self.get_response(request)

    @staticmethod
    def limit(request: HttpRequest) -> int:
        if request.content_type == "multipart/form-data":
            return settings.SHOP_MAX_UPLOAD_BYTES
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or settings.SHOP_MAX_UPLOAD_BYTES

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Raised in a view while it read the body (with DEBUG on too).
        if isinstance(exception, RequestDataTooBig):
            return handler400(request, exception)
        return None


# --- DRF -------------------------------------------------------------------------


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus a ``code`` beside every lone ``detail``.

    A ``RecursionError`` (a parser outside the site's settings recursed on
    deep JSON) is the same 400 ``too_deep`` as the site's own parser gives.
    """
    if isinstance(exc, RecursionError):
        exc = TooDeep()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "code" not in data and set(data) == {"detail"}:
        code = getattr(data["detail"], "code", None)
        if isinstance(code, str):
            response.data = {**data, "code": code}
    return response
