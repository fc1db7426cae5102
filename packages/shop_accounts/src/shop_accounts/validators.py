"""Validators for Russian tax numbers and uploaded avatars."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

from .conf import app_settings

_INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11_WEIGHTS = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12_WEIGHTS = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _check_digit(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits[: len(weights)], weights, strict=True)) % 11 % 10


def validate_inn(value: str) -> None:
    """A Russian INN: 10 digits (companies) or 12 (individuals) with checksum."""
    if not (value.isascii() and value.isdigit()) or len(value) not in (10, 12):
        raise ValidationError(_("An INN has 10 or 12 digits."), code="inn_length")
    digits = [int(c) for c in value]
    if len(digits) == 10:
        ok = _check_digit(digits, _INN10_WEIGHTS) == digits[9]
    else:
        ok = (
            _check_digit(digits, _INN11_WEIGHTS) == digits[10]
            and _check_digit(digits, _INN12_WEIGHTS) == digits[11]
        )
    if not ok:
        raise ValidationError(_("This INN has a wrong check digit."), code="inn_checksum")


def validate_avatar(file: File) -> None:
    """Size, then the decoded content: pixel count, allowed format, every pixel readable.

    The name and the client's content type are not trusted. The pixel count
    is read from the header before anything is decoded (decompression
    bombs); then the whole image is decoded, so a truncated file is refused.
    """
    if file.size is not None and file.size > app_settings.AVATAR_MAX_BYTES:
        raise ValidationError(
            _("The image is larger than %(limit)s.")
            % {"limit": filesizeformat(app_settings.AVATAR_MAX_BYTES)},
            code="avatar_too_large",
        )
    too_many_pixels = ValidationError(_("The image has too many pixels."), code="avatar_pixels")
    allowed = [f.upper() for f in app_settings.AVATAR_FORMATS]
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:  # reads the header only
            image_format, (width, height) = image.format, image.size
            if width * height > app_settings.AVATAR_MAX_PIXELS:
                raise too_many_pixels
            if image_format not in allowed:
                raise ValidationError(
                    _("Unsupported image format %(format)s; use one of: %(allowed)s.")
                    % {"format": image_format, "allowed": ", ".join(allowed)},
                    code="avatar_format",
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
        raise ValidationError(
            _("Upload a valid image. The file is not an image or is corrupted."),
            code="avatar_invalid",
        ) from None
    finally:
        file.seek(position)
