"""System checks: the settings the cabinet relies on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Info, register
from django.core.exceptions import ImproperlyConfigured

from .conf import app_settings

RESOLVER = "shop_cabinet.hooks.resolve_address"


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list:
    try:
        app_settings.user_settings()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="shop_cabinet.E001")]
    messages: list = []
    orders = getattr(settings, "SHOP_ORDERS", None) or {}
    if isinstance(orders, dict) and orders.get("ADDRESS_RESOLVER") != RESOLVER:
        messages.append(
            Info(
                "Checkout does not take addresses from the cabinet's address book.",
                hint=f'Set SHOP_ORDERS["ADDRESS_RESOLVER"] = "{RESOLVER}" to let it.',
                id="shop_cabinet.I001",
            )
        )
    return messages
