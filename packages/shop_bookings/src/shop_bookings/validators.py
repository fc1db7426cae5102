"""Field validators: IANA time zones and specialist photos."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .conf import app_settings


def validate_time_zone(value: str) -> None:
    """Accept only names zoneinfo knows ("Europe/Berlin"), never offsets or abbreviations."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(
            _("%(value)s is not a known IANA time zone."),
            code="invalid_time_zone",
            params={"value": value},
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
