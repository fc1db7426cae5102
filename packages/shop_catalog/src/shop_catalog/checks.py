"""System checks: the SHOP_CATALOG dict is well formed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from .conf import MISSING_POLICIES, app_settings
from .pricelist.formats import FORMATS


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """E001: shape, unknown keys, hooks that do not import; E002-E004: bad values."""
    errors = app_settings.check("shop_catalog.E001")
    if errors:
        return errors
    if app_settings.IMPORT_MISSING not in MISSING_POLICIES:
        errors.append(
            Error(
                f"SHOP_CATALOG['IMPORT_MISSING'] must be one of {', '.join(MISSING_POLICIES)}.",
                id="shop_catalog.E002",
            )
        )
    unknown = sorted(set(app_settings.PRICE_LIST_FORMATS) - set(FORMATS))
    if unknown:
        errors.append(
            Error(
                "SHOP_CATALOG['PRICE_LIST_FORMATS'] names unknown format(s): " + ", ".join(unknown),
                id="shop_catalog.E003",
            )
        )
    if app_settings.CACHE and app_settings.CACHE_ALIAS not in settings.CACHES:
        errors.append(
            Error(
                f"SHOP_CATALOG['CACHE_ALIAS'] {app_settings.CACHE_ALIAS!r} is not in CACHES.",
                id="shop_catalog.E004",
            )
        )
    return errors
