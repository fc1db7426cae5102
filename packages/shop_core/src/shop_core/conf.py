"""The class behind every shop package's ``conf.py``: one settings dict, read live.

A package's ``conf.py`` holds only its defaults::

    app_settings = AppSettings("SHOP_ORDERS", DEFAULTS, import_strings={"NOTIFIER"})

``app_settings.NOTIFIER`` returns the project's value or the default; values
named in ``import_strings`` are dotted paths imported on first use and
cached. The cache is dropped on ``setting_changed``, so ``override_settings``
works. An unknown key raises ``ImproperlyConfigured`` naming it, and
``check()`` reports the same problems (and hook paths that do not import) as
system-check errors at start-up.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string


class AppSettings:
    """Attribute access to one ``SHOP_*`` settings dict with defaults."""

    def __init__(
        self, name: str, defaults: dict[str, Any], import_strings: set[str] | frozenset[str] = ()
    ) -> None:
        self._name = name
        self._defaults = defaults
        self._import_strings = frozenset(import_strings)
        self._cache: dict[str, Any] = {}
        setting_changed.connect(self._on_setting_changed, weak=False)

    @property
    def name(self) -> str:
        return self._name

    def user_settings(self) -> dict[str, Any]:
        """The project's dict; ``ImproperlyConfigured`` for a non-dict or unknown keys."""
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

    def check(self, error_id: str) -> list[Error]:
        """System-check errors for this dict: its shape, unknown keys, hooks that do not import."""
        try:
            self.user_settings()
        except ImproperlyConfigured as exc:
            return [Error(str(exc), id=error_id)]
        errors = []
        for key in sorted(self._import_strings):
            try:
                getattr(self, key)
            except ImproperlyConfigured as exc:
                errors.append(Error(str(exc), id=error_id))
        return errors

    def _on_setting_changed(self, *, setting: str, **kwargs: Any) -> None:
        if setting == self._name:
            self.reload()
