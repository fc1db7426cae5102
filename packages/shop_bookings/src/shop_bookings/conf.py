"""The ``SHOP_BOOKINGS`` settings dict, read live with defaults.

``app_settings.SLOT_STEP_MINUTES`` returns the project's value or the default; values
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

SETTINGS_NAME = "SHOP_BOOKINGS"

DEFAULTS: dict[str, Any] = {
    # Name of the auth group whose members are specialists (used by the
    # default IS_SPECIALIST hook).
    "SPECIALIST_GROUP": "specialist",
    # Hook: callable(user) -> bool, "may this user act as a specialist?".
    "IS_SPECIALIST": "shop_bookings.permissions.is_specialist",
    # Free slots start every SLOT_STEP_MINUTES from the start of a working
    # interval (wall-clock grid in the specialist's time zone).
    "SLOT_STEP_MINUTES": 15,
    # A booking must start at least this long after "now" (real time).
    "MIN_NOTICE_MINUTES": 120,
    # ... and at most this many days after "now".
    "HORIZON_DAYS": 60,
    # Longest from..to window the slots endpoint accepts.
    "MAX_SLOTS_RANGE_DAYS": 31,
    # A client may cancel or reschedule until this long before the start.
    "CLIENT_CHANGE_CUTOFF_MINUTES": 24 * 60,
    # A reminder goes out this long before the start.
    "REMINDER_BEFORE_MINUTES": 24 * 60,
    # Hook: callable(*, event: str, booking: Booking) -> None, called by the
    # notification task for every booking event.
    "NOTIFIER": "shop_bookings.notifications.email_notifier",
    # The Django tasks backend alias used for notifications and reminders.
    "TASK_BACKEND": "default",
    "PHOTO_MAX_BYTES": 5 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 40_000_000,
    "PHOTO_FORMATS": ["JPEG", "PNG", "WEBP"],
    "PHOTO_THUMBNAIL_SIZE": (256, 256),
    # The ICS feed holds bookings that ended at most this many days ago.
    "FEED_PAST_DAYS": 90,
    # PRODID and UID domain of the ICS feeds.
    "FEED_DOMAIN": "shop-bookings.invalid",
}

IMPORT_STRINGS = {"IS_SPECIALIST", "NOTIFIER"}


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
