"""Personal-data export: a registry of sections, one per app that keeps data.

A *provider* is ``callable(user) -> JSON-able value`` (a dict or a list of
dicts; ``Decimal``, dates and UUIDs are fine) or ``None`` to leave its section
out (its app is not installed, say). Register one from any app that may
import the cabinet::

    from shop_cabinet import export

    @export.register("loyalty")
    def loyalty_section(user):
        return {"points": ...}

Apps that must not import the cabinet (lower layers) are listed in the
settings instead: ``SHOP_CABINET["EXPORT_PROVIDERS"] = {"loyalty":
"loyalty.exports.section"}``. ``SHOP_CABINET["EXPORT_EXCLUDE"]`` drops sections
by name. The cabinet's own sections live in ``export_sections``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.module_loading import import_string

from .conf import app_settings

Provider = Callable[[Any], Any]
FORMAT = "shop-personal-data"
FORMAT_VERSION = 1

_registry: dict[str, Provider] = {}


def register(name: str, provider: Provider | None = None) -> Any:
    """Register ``provider`` as the section ``name`` (usable as a decorator).
    Registering a name again replaces the earlier provider."""

    def decorator(func: Provider) -> Provider:
        _registry[name] = func
        return func

    return decorator(provider) if provider is not None else decorator


def unregister(name: str) -> None:
    """Remove a section (no error if it is not registered)."""
    _registry.pop(name, None)


def providers() -> dict[str, Provider]:
    """The sections in effect: registered ones, then ``EXPORT_PROVIDERS``, minus
    ``EXPORT_EXCLUDE``, in that order."""
    result = dict(_registry)
    for name, path in app_settings.EXPORT_PROVIDERS.items():
        try:
            result[name] = import_string(path) if isinstance(path, str) else path
        except ImportError as exc:
            raise ImproperlyConfigured(
                f"SHOP_CABINET['EXPORT_PROVIDERS'][{name!r}]: cannot import {path!r}: {exc}"
            ) from exc
    for name in app_settings.EXPORT_EXCLUDE:
        result.pop(name, None)
    return result


def build_export(user: Any) -> dict[str, Any]:
    """Everything the installed apps keep about ``user``, as plain JSON types."""
    sections = {}
    for name, provider in providers().items():
        value = provider(user)
        if value is not None:
            sections[name] = value
    archive = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generated_at": timezone.now(),
        "user_id": user.pk,
        "sections": sections,
    }
    # One encoder pass settles Decimal/datetime/UUID and proves it is JSON.
    return json.loads(json.dumps(archive, cls=DjangoJSONEncoder))


def export_filename(user: Any) -> str:
    return f"personal-data-{user.pk}-{timezone.now():%Y%m%d}.json"


def instance_data(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A model instance's concrete fields by name (foreign keys as ids, files as
    their names): a generic reader for models of apps the cabinet does not import."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = field.value_from_object(instance)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        data[field.name] = value
    return data
