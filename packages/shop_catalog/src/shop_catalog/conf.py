"""The ``SHOP_CATALOG`` settings dict, read live with defaults.

``app_settings.PAGE_SIZE`` returns the project's value or the default; values
named in ``IMPORT_STRINGS`` are dotted paths imported on first use. The
class behind it lives in ``shop_core.conf``: it drops its cache on
``setting_changed`` (so ``override_settings`` works), raises
``ImproperlyConfigured`` for an unknown key and reports unknown keys and
hooks that do not import as system-check errors (``checks.py``).
"""

from __future__ import annotations

from typing import Any

from shop_core.conf import AppSettings

SETTINGS_NAME = "SHOP_CATALOG"

# The values of IMPORT_MISSING: what an import does to a shop's offers missing from the file.
MISSING_POLICIES = ("zero_stock", "deactivate")

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
    # Minutes after which a "running" background import counts as lost (its
    # worker killed) and is taken up again; longer than the longest import.
    "IMPORT_LEASE_MINUTES": 30,
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
    # Answer anonymous product list and detail requests from Django's cache,
    # keyed by the catalogue version every write changes (catalogue.py).
    "CACHE": False,
    "CACHE_ALIAS": "default",
    # Seconds a cached page lives: the bound for writes that bypass the ORM
    # signals without calling catalogue_changed().
    "CACHE_TIMEOUT": 60,
}

IMPORT_STRINGS = {"URL_FETCHER", "IS_SUPPLIER", "PRODUCT_SERIALIZER"}

app_settings = AppSettings(SETTINGS_NAME, DEFAULTS, IMPORT_STRINGS)
