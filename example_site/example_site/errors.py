"""Errors on ``/api/`` paths are JSON with a stable ``code``, never an HTML page.

The body is the shop packages' one error shape (``shop_core.errors``,
drf-standardized-errors)::

    {"type": "client_error", "errors": [{"code": "not_found", "detail": "...", "attr": null}]}

- ``handler400`` / ``handler403`` / ``handler404`` / ``handler500`` (named in
  ``urls.py``): Django's own error pages elsewhere, that body on API paths.
- ``BodySizeLimitMiddleware``: a body larger than the site accepts is a 413
  before anything reads it. Django raises ``RequestDataTooBig`` lazily, when
  the body is first read (by a middleware or a view); that is a 413 too.
- DRF views, the packages' and the site's, answer with that body through
  drf-standardized-errors' handler; ``SiteExceptionHandler`` (its
  ``EXCEPTION_HANDLER_CLASS``) turns what Django raises while a view reads the
  body into 413 / 400 answers instead of a 500, and a parser's
  ``RecursionError`` into the 400 ``too_deep`` of ``shop_core``.

- A backing service that is down (the database, Redis behind the cache that
  rate limits count in) is a 503 ``service_unavailable`` with
  ``Retry-After``, not a 500: the request may be repeated once it is back.
  Rate limits fail closed: a request that cannot be counted is refused.

Codes: ``bad_request``, ``too_many_fields``, ``too_large``,
``permission_denied``, ``not_found``, ``service_unavailable``,
``server_error``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from drf_standardized_errors.handler import ExceptionHandler
from rest_framework.exceptions import APIException, ParseError

from shop_core.parsers import TooDeep

API_PREFIX = "/api/"
logger = logging.getLogger(__name__)


def is_api(request: HttpRequest) -> bool:
    path = request.path_info
    return path.startswith(API_PREFIX) or path == API_PREFIX.rstrip("/")


def error_response(status: int, code: str, detail: str) -> JsonResponse:
    kind = "server_error" if status >= 500 else "client_error"
    return JsonResponse(
        {"type": kind, "errors": [{"code": code, "detail": detail, "attr": None}]}, status=status
    )


class PayloadTooLarge(APIException):
    status_code = 413
    default_code = "too_large"
    default_detail = gettext_lazy("The request body is too large.")


class TooManyFields(APIException):
    status_code = 400
    default_code = "too_many_fields"
    default_detail = gettext_lazy("The request has too many fields.")


class ServiceUnavailable(APIException):
    status_code = 503
    default_code = "service_unavailable"
    default_detail = gettext_lazy("The service is briefly unavailable; try again shortly.")


#: What a lost database connection raises.
DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_backing_service_error(exc: BaseException | None) -> bool:
    """A lost database or Redis connection. Redis' errors are looked up only once
    the client is loaded (a site on another cache never loads it: about 6 MiB a
    worker), and an error of a module not loaded cannot have been raised."""
    if isinstance(exc, DATABASE_ERRORS):
        return True
    redis_errors = sys.modules.get("redis.exceptions")
    if redis_errors and isinstance(exc, (redis_errors.ConnectionError, redis_errors.TimeoutError)):
        return True
    django_redis_errors = sys.modules.get("django_redis.exceptions")
    return bool(django_redis_errors) and isinstance(exc, django_redis_errors.ConnectionInterrupted)


RETRY_AFTER_SECONDS = "5"


def unavailable(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        response: HttpResponse = error_response(
            503, ServiceUnavailable.default_code, str(ServiceUnavailable.default_detail)
        )
    else:
        response = HttpResponse(str(ServiceUnavailable.default_detail), status=503)
    response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def too_large() -> JsonResponse:
    return error_response(413, PayloadTooLarge.default_code, str(PayloadTooLarge.default_detail))


# --- Django's error handlers -------------------------------------------------


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # Raised while the body was read; the status says what is wrong.
        return too_large() if is_api(request) else HttpResponse(status=413)
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, (TooManyFieldsSent, TooManyFilesSent)):
        return error_response(400, TooManyFields.default_code, str(TooManyFields.default_detail))
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
    # Called while the exception is being handled, from a view or a middleware.
    if is_backing_service_error(sys.exc_info()[1]):
        return unavailable(request)
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


# --- DRF views ---------------------------------------------------------------------


class SiteExceptionHandler(ExceptionHandler):
    """drf-standardized-errors' handler (``DRF_STANDARDIZED_ERRORS``), plus the
    errors Django raises while a view reads the body: it would answer 500."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, RequestDataTooBig):
            return PayloadTooLarge()
        if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
            return TooManyFields()
        if isinstance(exc, RecursionError):  # a parser outside shop_core's guard
            return ParseError(TooDeep.default_detail, code=TooDeep.default_code)
        if is_backing_service_error(exc):
            logger.warning("backing service unavailable: %r", exc)
            return ServiceUnavailable()
        return super().convert_known_exceptions(exc)

    def run(self):  # type: ignore[no-untyped-def]
        response = super().run()
        if response is not None and response.status_code == 503:
            response["Retry-After"] = RETRY_AFTER_SECONDS
        return response
