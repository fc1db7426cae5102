"""The ``SHOP_CABINET`` settings dict, read live with defaults.

``app_settings.DASHBOARD_CACHE_TIMEOUT`` returns the project's value or the default; values
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

SETTINGS_NAME = "SHOP_CABINET"

DEFAULTS: dict[str, Any] = {
    # callable(value: str) -> None raising django.core.exceptions.ValidationError.
    # Default: Russian postal code (six digits, the first one a postal zone 1-6).
    "POSTAL_CODE_VALIDATOR": "shop_cabinet.validators.validate_russian_postal_code",
    # callable(user) -> shop_cabinet.hooks.CustomerKind (kind "b2c"/"b2b", verified).
    # Default: the shop_accounts profile when that app is installed, else B2C.
    "CUSTOMER_KIND_RESOLVER": "shop_cabinet.hooks.resolve_customer_kind",
    # Seconds the dashboard of a user is cached; None switches the cache off.
    "DASHBOARD_CACHE_TIMEOUT": None,
    # Cache alias (settings.CACHES) used for the dashboard.
    "DASHBOARD_CACHE_ALIAS": "default",
    # How many upcoming bookings the dashboard shows (when shop_bookings is installed).
    "UPCOMING_BOOKINGS_LIMIT": 5,
    # Months of the B2B "spent per month" series (this month included).
    "FINANCE_MONTHS": 12,
    # Order statuses counted as "open" (not delivered, not canceled) in the B2B block.
    "OPEN_ORDER_STATUSES": ["new", "confirmed", "assembled", "sent"],
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
