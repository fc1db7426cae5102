"""The ``SHOP_CATALOG`` settings dict, read live with defaults.

``app_settings.PAGE_SIZE`` returns the project's value or the default; values
named in ``IMPORT_STRINGS`` are dotted paths imported on first use. The
cache is dropped on ``setting_changed``, so ``override_settings`` works.
An unknown key raises ``ImproperlyConfigured`` naming it.

Every shop package carries its own copy of this small class instead of
depending on a shared "core" package: adopting one package must not pull
in another.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

SETTINGS_NAME = "SHOP_CATALOG"

DEFAULTS: dict[str, Any] = {
    # Page size of the list endpoints and the cap of the ?page_size= parameter.
    "PAGE_SIZE": 20,
    "MAX_PAGE_SIZE": 100,
    # Price-list formats accepted by the import (API, command, admin).
    "PRICE_LIST_FORMATS": ["yaml", "json", "csv", "xlsx"],
    # What happens to a shop's offers missing from a new price list:
    # "zero_stock" (quantity set to 0) or "deactivate" (is_active = False).
    # Offers are never deleted: order lines keep referring to them.
    "IMPORT_MISSING": "zero_stock",
    # Largest price list accepted (upload or download), in bytes.
    "IMPORT_MAX_BYTES": 20 * 1024 * 1024,
    # Uploads up to this size are imported inside the request (answer 200 or
    # 400 with row errors); larger ones run as a background task (202 + job).
    "IMPORT_SYNC_MAX_BYTES": 256 * 1024,
    # YAML: refuse documents whose aliases expand to more nodes than this.
    "YAML_MAX_NODES": 2_000_000,
    # URL import: seconds before the download gives up, and whether private,
    # loopback, link-local and reserved addresses may be fetched.
    "URL_TIMEOUT": 15,
    "URL_ALLOW_PRIVATE": False,
    # Hook: callable(url: str, *, max_bytes: int, timeout: float) -> bytes.
    "URL_FETCHER": "shop_catalog.fetch.fetch_url",
    # Hook: callable(user) -> bool, who may use the supplier endpoints at all.
    "IS_SUPPLIER": "shop_catalog.permissions.is_supplier",
    # Members of this group count as suppliers (with IS_SUPPLIER's default).
    "SUPPLIER_GROUP": "supplier",
    # Hook: the serializer class of the product list and detail endpoints.
    "PRODUCT_SERIALIZER": "shop_catalog.serializers.ProductSerializer",
    "IMAGE_MAX_BYTES": 5 * 1024 * 1024,
    "IMAGE_MAX_PIXELS": 40_000_000,
    "IMAGE_FORMATS": ["JPEG", "PNG", "WEBP", "GIF"],
    "THUMBNAIL_SIZE": (300, 300),
}

IMPORT_STRINGS = {"URL_FETCHER", "IS_SUPPLIER", "PRODUCT_SERIALIZER"}


class AppSettings:
    """Attribute access to one settings dict with defaults (see module doc)."""

    def __init__(self, name: str, defaults: dict[str, Any], import_strings: set[str]):
        self._name = name
        self._defaults = defaults
        self._import_strings = import_strings
        self._cache: dict[str, Any] = {}

    def user_settings(self) -> dict[str, Any]:
        value = getattr(settings, self._name, None) or {}
        if not isinstance(value, dict):
            raise ImproperlyConfigured(f"{self._name} must be a dict.")
        unknown = sorted(set(value) - set(self._defaults))
        if unknown:
            raise ImproperlyConfigured(
                f"Unknown key(s) in {self._name}: {', '.join(unknown)}. "
                f"Known keys: {', '.join(sorted(self._defaults))}."
            )
        return value

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_") or key not in self._defaults:
            raise AttributeError(f"{self._name} has no setting {key!r}")
        if key not in self._cache:
            value = self.user_settings().get(key, self._defaults[key])
            if key in self._import_strings and isinstance(value, str):
                try:
                    value = import_string(value)
                except ImportError as exc:
                    raise ImproperlyConfigured(
                        f"{self._name}[{key!r}]: cannot import {value!r}: {exc}"
                    ) from exc
            self._cache[key] = value
        return self._cache[key]

    def reload(self) -> None:
        self._cache.clear()


app_settings = AppSettings(SETTINGS_NAME, DEFAULTS, IMPORT_STRINGS)


def _reload(*, setting: str, **kwargs: Any) -> None:
    if setting == SETTINGS_NAME:
        app_settings.reload()


setting_changed.connect(_reload)
