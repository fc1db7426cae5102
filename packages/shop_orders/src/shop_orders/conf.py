"""The ``SHOP_ORDERS`` settings dict, read live with defaults.

``app_settings.STATUS_TRANSITIONS`` returns the project's value or the default; values
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

SETTINGS_NAME = "SHOP_ORDERS"

DEFAULTS: dict[str, Any] = {
    # Status -> statuses it may move to. The statuses themselves are fixed
    # (``Order.Status``); which moves are allowed is the project's choice.
    "STATUS_TRANSITIONS": {
        "new": ["confirmed", "canceled"],
        "confirmed": ["assembled", "canceled"],
        "assembled": ["sent"],
        "sent": ["delivered"],
        "delivered": [],
        "canceled": [],
    },
    # Statuses from which the customer may cancel an order (every part of it).
    "CUSTOMER_CANCEL_STATUSES": ["new", "confirmed"],
    # Dotted path to ``callable(user, address_id) -> dict`` of address fields
    # (recipient, phone, city, street, building, apartment, postal_code); it
    # raises LookupError / ObjectDoesNotExist / ValidationError for an id the
    # user may not use. None: checkout accepts inline addresses only.
    "ADDRESS_RESOLVER": None,
    # Dotted path to the notifier class (see shop_orders.notifications).
    # None: send nothing.
    "NOTIFIER": "shop_orders.notifications.EmailNotifier",
    # Task backend alias the notification tasks are enqueued on.
    "TASK_BACKEND": "default",
    "PAGE_SIZE": 20,
    "MAX_PAGE_SIZE": 100,
    # Longest accepted Idempotency-Key header.
    "IDEMPOTENCY_KEY_MAX_LENGTH": 255,
}

IMPORT_STRINGS = {"ADDRESS_RESOLVER", "NOTIFIER"}


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
