"""System checks: the settings the cabinet relies on (registered in ``apps.ready``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Info, register
from django.utils.module_loading import import_string

from .conf import app_settings
from .models import Address

RESOLVER = "shop_cabinet.hooks.resolve_address"


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """E001: the ``SHOP_CABINET`` dict (shape, unknown keys, hooks that do not import);
    E002: ``EXPORT_PROVIDERS`` paths that do not import; E003: an address field of
    shop_orders the address book lacks; I001: checkout does not use the address book."""
    errors: list[CheckMessage] = list(app_settings.check("shop_cabinet.E001"))
    if errors:
        return errors
    errors += _check_export_providers()
    errors += _check_address_fields()
    orders = getattr(settings, "SHOP_ORDERS", None) or {}
    if isinstance(orders, dict) and orders.get("ADDRESS_RESOLVER") != RESOLVER:
        errors.append(
            Info(
                "Checkout does not take addresses from the cabinet's address book.",
                hint=f'Set SHOP_ORDERS["ADDRESS_RESOLVER"] = "{RESOLVER}" to let it.',
                id="shop_cabinet.I001",
            )
        )
    return errors


def _check_export_providers() -> list[CheckMessage]:
    providers = app_settings.EXPORT_PROVIDERS
    if not isinstance(providers, dict):
        return [Error("SHOP_CABINET['EXPORT_PROVIDERS'] must be a dict.", id="shop_cabinet.E002")]
    errors: list[CheckMessage] = []
    for name, path in providers.items():
        if not isinstance(path, str):
            continue  # a callable given directly
        try:
            import_string(path)
        except ImportError as exc:
            errors.append(
                Error(
                    f"SHOP_CABINET['EXPORT_PROVIDERS'][{name!r}]: cannot import {path!r}: {exc}",
                    id="shop_cabinet.E002",
                )
            )
    return errors


def _check_address_fields() -> list[CheckMessage]:
    """The address book stores every field of shop_orders' ``ADDRESS_FIELDS``
    (a newer shop_orders may add one before this package has a column for it)."""
    columns = {field.name for field in Address._meta.get_fields()}
    missing = [name for name in Address.EDITABLE_FIELDS if name not in columns]
    if not missing:
        return []
    return [
        Error(
            f"shop_orders' ADDRESS_FIELDS name {', '.join(missing)}, which the address "
            "book (shop_cabinet.Address) does not store.",
            hint="Install the shop_cabinet release that matches your shop_orders.",
            id="shop_cabinet.E003",
        )
    ]
