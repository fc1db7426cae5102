"""Uploaded images: one validator and one thumbnail maker for every package.

Pillow is imported when first used: only the packages that take images
(accounts, catalog, bookings) declare it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


def validate_image(file: Any, *, max_bytes: int, max_pixels: int, formats: Iterable[str]) -> None:
    """Size, then the decoded content: pixel count, allowed format, every pixel readable.

    The type is judged by decoding the file, never by its name or the
    client's content type. The pixel count is read from the header before
    anything is decoded (decompression bombs); then the whole image is
    decoded, so a truncated file is refused. Codes: ``image_too_large``,
    ``image_pixels``, ``image_format``, ``image_invalid``.
    """
    from PIL import Image

    if file.size is not None and file.size > max_bytes:
        raise ValidationError(
            _("The image is larger than %(limit)s.") % {"limit": filesizeformat(max_bytes)},
            code="image_too_large",
        )
    too_many_pixels = ValidationError(_("The image has too many pixels."), code="image_pixels")
    allowed = [name.upper() for name in formats]
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        with Image.open(file) as image:  # reads the header only
            image_format, (width, height) = image.format, image.size
            if width * height > max_pixels:
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


def make_thumbnail(file: Any, size: tuple[int, int]) -> ContentFile:
    """A thumbnail no larger than ``size``, turned upright by its EXIF orientation.

    PNG when the image has transparency, JPEG otherwise; named
    ``<stem>_thumb.<ext>`` after ``file.name``. The file's position is kept.
    """
    from PIL import Image, ImageOps

    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    with Image.open(file) as opened:
        image = ImageOps.exif_transpose(opened)
        image.thumbnail(tuple(size))
        has_alpha = image.mode in ("RGBA", "LA", "P")
        fmt, ext = ("PNG", "png") if has_alpha else ("JPEG", "jpg")
        if fmt == "JPEG" and image.mode != "RGB":
            image = image.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    file.seek(position)
    stem = PurePosixPath(file.name or "image").stem
    return ContentFile(buffer.getvalue(), name=f"{stem}_thumb.{ext}")
