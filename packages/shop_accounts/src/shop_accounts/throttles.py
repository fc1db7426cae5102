"""Throttling of the login, registration and password-reset endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework import throttling


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """DRF's scoped throttle, but a scope the site gives no rate is not limited.

    The site opts in by naming a scope in ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``
    (``shop_accounts.login``, ``shop_accounts.register``,
    ``shop_accounts.password_reset``) without adding this class anywhere.
    """

    def allow_request(self, request: Any, view: Any) -> bool:
        if getattr(view, self.scope_attr, None) not in self.THROTTLE_RATES:
            return True
        return super().allow_request(request, view)


class ScopedThrottleMixin:
    """Adds :class:`ScopedRateThrottle` to a view's throttles.

    DRF's own ``ScopedRateThrottle`` is dropped if the site lists it, so a
    request is counted once.
    """

    def get_throttles(self) -> list[throttling.BaseThrottle]:
        throttles = [
            throttle
            for throttle in super().get_throttles()  # type: ignore[misc]
            if type(throttle) is not throttling.ScopedRateThrottle
        ]
        return [*throttles, ScopedRateThrottle()]
