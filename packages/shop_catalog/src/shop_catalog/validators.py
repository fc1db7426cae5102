"""Validators for uploaded product images."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files import File
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image


def validate_image(file: File) -> None:
    """Size, then the decoded content: pixel count, allowed format, every pixel readable.

    The type is judged by decoding the file, never by its name or the
    client's content type. The pixel count is read from the header before
    anything is decoded (decompression bombs); then the whole image is
    decoded, so a truncated file is refused.
    """
    from .conf import app_settings

    if file.size is not None and file.size > app_settings.IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The image is larger than %(limit)s.")
            % {"limit": filesizeformat(app_settings.IMAGE_MAX_BYTES)},
            code="image_too_large",
        )
    too_many_pixels = ValidationError(_("The image has too many pixels."), code="image_pixels")
    allowed = [f.upper() for f in app_settings.IMAGE_FORMATS]
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:  # reads the header only
            image_format, (width, height) = image.format, image.size
            if width * height > app_settings.IMAGE_MAX_PIXELS:
                raise too_many_pixels
            if image_format not in allowed:
                raise ValidationError(
                    _("Unsupported image format %(format)s; use one of: %(allowed)s.")
                    % {"format": image_format, "allowed": ", ".join(allowed)},
                    code="image_format",
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
            code="image_invalid",
        ) from None
    finally:
        file.seek(position)
