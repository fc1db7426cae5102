"""Field validators: IANA time zones, specialist photos, digits of other scripts."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shop_core.bounds import ascii_digits

from .conf import app_settings

NON_ASCII_DIGITS = "non_ascii_digits"
NON_ASCII_DIGITS_MESSAGE = _("Write numbers, dates and times with the digits 0-9.")


def has_other_digits(value: Any) -> bool:
    """A string with another script's digits ("١٢٣"): Python's int(), Decimal() and
    Django's date parsing read them as numbers, so they must be refused up front."""
    return isinstance(value, str) and ascii_digits(value) != value


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
            code="invalid_time_zone",
            params={"value": str(value)[:64]},
        ) from None


def validate_photo(file) -> None:
    """Check size, then decode the image: pixel count bounded, format allowed, pixels readable.

    The file name and the declared content type are not trusted; Pillow
    reads the bytes. The pixel count comes from the header before anything
    is decoded (decompression bombs); then the whole image is decoded, so a
    truncated file is refused.
    """
    from PIL import Image

    if file.size is not None and file.size > app_settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            _("The photo is larger than %(max)s bytes."),
            code="photo_too_large",
            params={"max": app_settings.PHOTO_MAX_BYTES},
        )
    too_many_pixels = ValidationError(_("The photo has too many pixels."), code="photo_too_big")
    position = file.tell() if hasattr(file, "tell") else None
    try:
        file.seek(0)
        with Image.open(file) as image:  # reads the header only
            width, height = image.size
            if width * height > app_settings.PHOTO_MAX_PIXELS:
                raise too_many_pixels
            if image.format not in app_settings.PHOTO_FORMATS:
                raise ValidationError(
                    _("Allowed image formats: %(formats)s."),
                    code="photo_format",
                    params={"formats": ", ".join(app_settings.PHOTO_FORMATS)},
                )
            image.verify()  # checksums (PNG)
        file.seek(0)
        with Image.open(file) as image:
            image.load()  # decodes every pixel: truncated data fails here
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels from None
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, struct.error...)
        raise ValidationError(_("Upload a valid image."), code="invalid_image") from None
    finally:
        if position is not None:
            file.seek(position)
