"""Validators for Russian tax numbers, profile phones and uploaded avatars."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext_lazy as _
from phonenumber_field.validators import validate_international_phonenumber

from shop_core.uploads import validate_image

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
    """An uploaded avatar, judged by its decoded content within ``AVATAR_MAX_BYTES``,
    ``AVATAR_MAX_PIXELS`` and ``AVATAR_FORMATS`` (``shop_core.uploads.validate_image``).

    Codes: ``image_too_large``, ``image_pixels``, ``image_format``, ``image_invalid``.
    """
    validate_image(
        file,
        max_bytes=app_settings.AVATAR_MAX_BYTES,
        max_pixels=app_settings.AVATAR_MAX_PIXELS,
        formats=app_settings.AVATAR_FORMATS,
    )


def validate_profile_phone(value: str) -> None:
    """A profile phone: a number valid for its country, stored in E.164 (``+79161234567``).

    Stricter than ``shop_core.fields.validate_phone`` (the digits people type
    in an address book): a profile phone is normalised by phonenumber_field
    and must exist in the numbering plan. Code ``invalid_phone``, as the
    looser rule's.
    """
    try:
        validate_international_phonenumber(value)
    except ValidationError:
        raise ValidationError(
            _("Enter a valid phone number, e.g. +79161234567."), code="invalid_phone"
        ) from None
