"""The ``SHOP_ACCOUNTS`` settings dict, read live with defaults.

``app_settings.ROLES`` returns the project's value or the default; values
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

SETTINGS_NAME = "SHOP_ACCOUNTS"

DEFAULTS: dict[str, Any] = {
    # Role name -> permissions ("app_label.codename") of its group.
    "ROLES": {
        "customer": [],
        "supplier": [],
        "specialist": [],
        "manager": [
            "shop_accounts.view_profile",
            "shop_accounts.verify_company",
        ],
    },
    # Role given to every new user at registration (None: no role).
    "DEFAULT_ROLE": "customer",
    # Roles a user may ask for when registering, besides the default one.
    "REGISTRATION_ROLES": [],
    # Link sent to verify an e-mail address; "{key}" is replaced. None: the
    # API's own verify-email page. Point it at your front end for an SPA.
    "EMAIL_VERIFICATION_URL": None,
    # Link sent to reset a password; "{uid}" and "{token}" are replaced.
    # None: the API's own reset-confirm page.
    "PASSWORD_RESET_URL": None,
    # Redirect URI registered at Google and used by the front end when it
    # posts an authorization "code" (not needed for "access_token").
    "GOOGLE_CALLBACK_URL": None,
    # Uploaded avatars: largest file, largest width x height, Pillow formats.
    "AVATAR_MAX_BYTES": 2 * 1024 * 1024,
    "AVATAR_MAX_PIXELS": 40_000_000,
    "AVATAR_FORMATS": ["JPEG", "PNG", "WEBP", "GIF"],
    # The thumbnail fits in this (width, height) box, as JPEG.
    "AVATAR_THUMBNAIL_SIZE": (128, 128),
    # Serializer of GET/PUT/PATCH .../user/ (dotted path; subclass
    # shop_accounts.serializers.UserSerializer to add fields).
    "USER_SERIALIZER": "shop_accounts.serializers.UserSerializer",
}

IMPORT_STRINGS = {"USER_SERIALIZER"}


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
