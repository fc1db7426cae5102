"""Remembers the request's user so the deletion audit can say who deleted, and
notes when a sign-in (token or JWT) was last used."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

_acting_user: ContextVar[Any] = ContextVar("shop_accounts_acting_user", default=None)


def acting_user() -> Any:
    """The user on whose behalf the current code runs, or None."""
    user = _acting_user.get()
    return user if getattr(user, "is_authenticated", False) else None


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Run a block (a command, a task) on behalf of ``user``."""
    token = _acting_user.set(user)
    try:
        yield
    finally:
        _acting_user.reset(token)


class RequestUserMiddleware:
    """Put after AuthenticationMiddleware. The user is read lazily, so
    token/JWT users resolved later by DRF are seen too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with acting_as(_LazyRequestUser(request)):
            response = self.get_response(request)
        from .services.sessions import touch

        touch(request)  # DRF put the credential on the request (``request.auth``)
        return response


class _LazyRequestUser:
    def __init__(self, request: HttpRequest):
        self._request = request

    def _user(self) -> Any:
        # DRF sets request.user on the Django request once it authenticates.
        return getattr(self._request, "user", None)

    @property
    def is_authenticated(self) -> bool:
        user = self._user()
        return bool(user is not None and user.is_authenticated)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._user(), name)
