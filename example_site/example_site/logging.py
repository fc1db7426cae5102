"""Request ids for logs: taken from X-Request-ID (set by a proxy) or made
up, echoed in the response, and added with the user id to every log line."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

_request: ContextVar[HttpRequest | None] = ContextVar("request", default=None)
_request_id: ContextVar[str] = ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        # Cleared on request_finished, not here: Django logs 4xx/5xx
        # responses after the middleware chain has returned.
        _request_id.set(request_id)
        _request.set(request)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


@receiver(request_finished, dispatch_uid="example_site_request_log_context")
def _forget_request(**kwargs: object) -> None:
    _request_id.set("-")
    _request.set(None)


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        request = _request.get()
        user = getattr(request, "user", None) if request is not None else None
        record.user_id = user.pk if user is not None and user.is_authenticated else "-"
        return True
