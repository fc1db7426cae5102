"""One error convention for every package: drf-standardized-errors' body, applied per view.

Every error answer of a shop package looks like this (RFC 9457 in spirit)::

    {"type": "validation_error",            # or client_error / server_error
     "errors": [{"code": "taken",           # stable, machine-readable
                 "detail": "This time ...", # translated
                 "attr": "start"}]}         # the field, or null

An error may add keys of its own beside ``type`` and ``errors`` (a 409 of
the checkout lists the ``lines`` that cannot be bought).

``ShopAPIMixin`` (``shop_core.views``) applies it to a package's views
without touching the host project's ``EXCEPTION_HANDLER``. Services raise
``ShopError`` subclasses (or DRF's exceptions); Django's
``ValidationError`` from a model's ``full_clean()`` becomes a 400 with its
field errors, ``Http404`` / ``ObjectDoesNotExist`` a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.handler import exception_handler
from rest_framework import exceptions
from rest_framework.fields import get_error_detail
from rest_framework.response import Response

__all__ = ["ShopError", "exception_handler", "to_api_exception", "add_extra"]


class ShopError(exceptions.APIException):
    """Base of the typed errors a package's services raise on purpose.

    ``code`` is the stable machine-readable code; ``field`` names the input
    it concerns (the answer is then a validation error with that ``attr``);
    ``extra`` holds JSON-able keys added to the body beside ``errors``.
    Subclasses set ``status_code`` and ``default_code``.
    """

    status_code = 400
    default_code = "invalid"
    default_detail = _("Invalid input.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        field: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code)
        self.code = code or self.default_code
        self.field = field
        self.extra = extra or {}


def to_api_exception(exc: Exception) -> Exception:
    """The DRF exception the standardized handler should format for ``exc``."""
    if isinstance(exc, ShopError) and exc.field:
        converted = exceptions.ValidationError({exc.field: [exc.detail]})
        converted.status_code = exc.status_code
        return converted
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(detail=get_error_detail(exc))
    if isinstance(exc, ObjectDoesNotExist):
        return exceptions.NotFound()
    return exc


def add_extra(response: Response | None, exc: Exception) -> Response | None:
    """Copy a ``ShopError``'s ``extra`` keys into the answer's body."""
    extra = getattr(exc, "extra", None)
    if response is not None and extra and isinstance(response.data, dict):
        response.data.update(extra)
    return response
