"""The ``SHOP_CABINET`` settings dict, read live with defaults.

``app_settings.DASHBOARD_CACHE_TIMEOUT`` returns the project's value or the default; values
named in ``IMPORT_STRINGS`` are dotted paths imported on first use. The class
behind it is ``shop_core.conf.AppSettings``: it re-reads the dict on
``setting_changed`` (so ``override_settings`` works), raises
``ImproperlyConfigured`` for an unknown key and reports the same problems as
system-check errors (``checks.py``).
"""

from __future__ import annotations

from typing import Any

from shop_core.conf import AppSettings

SETTINGS_NAME = "SHOP_CABINET"

DEFAULTS: dict[str, Any] = {
    # callable(value: str) -> None raising django.core.exceptions.ValidationError.
    # Default: Russian postal code (six digits, the first one a postal zone 1-6).
    "POSTAL_CODE_VALIDATOR": "shop_cabinet.validators.validate_russian_postal_code",
    # callable(user) -> None (a private customer) or an object with kind ("b2c"/"b2b")
    # and verified. Default: shop_accounts.selectors.business_profile when installed.
    "CUSTOMER_KIND_RESOLVER": "shop_cabinet.hooks.resolve_customer_kind",
    # Seconds the dashboard of a user is cached; None switches the cache off.
    "DASHBOARD_CACHE_TIMEOUT": None,
    # Cache alias (settings.CACHES) used for the dashboard.
    "DASHBOARD_CACHE_ALIAS": "default",
    # How many upcoming bookings the dashboard shows (when shop_bookings is installed).
    "UPCOMING_BOOKINGS_LIMIT": 5,
    # Months of the B2B "spent per month" series (this month included).
    "FINANCE_MONTHS": 12,
    # Extra personal-data export sections: {"name": "dotted.path.to.callable(user)"}.
    "EXPORT_PROVIDERS": {},
    # Export sections to leave out, by name (built-in ones included).
    "EXPORT_EXCLUDE": [],
    # Task backend alias (settings.TASKS) of the background export.
    "EXPORT_TASK_BACKEND": "default",
    # Hours a prepared export can be downloaded; prune_personal_data_exports deletes older.
    "EXPORT_RETENTION_HOURS": 24,
    # Fields of the user model never exported (matched by name).
    "EXPORT_USER_EXCLUDE_FIELDS": ["password"],
    # Page size of the cabinet's list endpoints (clients may ask ?page_size= up to the max).
    "PAGE_SIZE": 20,
    "MAX_PAGE_SIZE": 100,
}

IMPORT_STRINGS = {"POSTAL_CODE_VALIDATOR", "CUSTOMER_KIND_RESOLVER"}

app_settings = AppSettings(SETTINGS_NAME, DEFAULTS, IMPORT_STRINGS)
