"""Field validators: IANA time zones and specialist photos."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shop_core.uploads import validate_image

from .conf import app_settings

INVALID_TIME_ZONE = "invalid_time_zone"
#: The codes ``validate_photo`` raises (shop_core.uploads.validate_image's).
PHOTO_CODES = ("image_too_large", "image_pixels", "image_format", "image_invalid")


def parse_time_zone(name: str) -> zoneinfo.ZoneInfo:
    """The zone of an IANA name; ``ValueError`` for anything else (offsets, abbreviations)."""
    if not isinstance(name, str) or len(name) > 64:  # the longest IANA name has 32 chars
        raise ValueError(name)
    try:
        return zoneinfo.ZoneInfo(name)
    # OSError: a name the file system refuses as a path.
    except (zoneinfo.ZoneInfoNotFoundError, OSError) as exc:
        raise ValueError(name) from exc


def validate_time_zone(value: str) -> None:
    """Accept only names zoneinfo knows ("Europe/Berlin"), never offsets or abbreviations."""
    try:
        parse_time_zone(value)
    except ValueError:
        raise ValidationError(
            _("%(value)s is not a known IANA time zone."),
            code=INVALID_TIME_ZONE,
            params={"value": str(value)[:64]},
        ) from None


# drf-standardized-errors reads a validator's ``code`` to document it in the schema.
validate_time_zone.code = INVALID_TIME_ZONE  # type: ignore[attr-defined]


def validate_photo(file: Any) -> None:
    """A specialist photo within ``PHOTO_MAX_BYTES``, ``PHOTO_MAX_PIXELS`` and
    ``PHOTO_FORMATS``, decoded in full (``shop_core.uploads.validate_image``)."""
    validate_image(
        file,
        max_bytes=app_settings.PHOTO_MAX_BYTES,
        max_pixels=app_settings.PHOTO_MAX_PIXELS,
        formats=app_settings.PHOTO_FORMATS,
    )
