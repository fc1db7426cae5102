"""What every page of the storefront shows: the cart badge, the Google button."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from shop_accounts.selectors import user_roles
from shop_orders.selectors import cart_lines


def cart_count(user: Any) -> int:
    """Items in the user's cart (0 for a visitor), one query."""
    if not user.is_authenticated:
        return 0
    return sum(cart_lines(user).values_list("quantity", flat=True))


def storefront(request: HttpRequest) -> dict[str, Any]:
    # A callable (templates call it), counted once: pages without the badge never count.
    return {
        "cart_count": cache(lambda: cart_count(request.user)),
        "roles": cache(
            lambda: set(user_roles(request.user)) if request.user.is_authenticated else set()
        ),
        "google_login": getattr(settings, "GOOGLE_LOGIN_CONFIGURED", False),
    }
