"""Validators for uploaded product images (``ProductImage.image``; migrations name it)."""

from __future__ import annotations

from django.core.files import File

from shop_core import uploads


def validate_image(file: File) -> None:
    """``shop_core.uploads.validate_image`` with the limits of ``SHOP_CATALOG``.

    ``IMAGE_MAX_BYTES``, ``IMAGE_MAX_PIXELS`` and ``IMAGE_FORMATS``, read
    live. Codes: ``image_too_large``, ``image_pixels``, ``image_format``,
    ``image_invalid``.
    """
    from .conf import app_settings

    uploads.validate_image(
        file,
        max_bytes=app_settings.IMAGE_MAX_BYTES,
        max_pixels=app_settings.IMAGE_MAX_PIXELS,
        formats=app_settings.IMAGE_FORMATS,
    )
