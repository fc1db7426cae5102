"""Hostile avatar uploads through the API: refused with 400, no file left in MEDIA_ROOT."""

from __future__ import annotations

import os
import struct
import zlib
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shop_accounts.models import Profile
from shop_accounts.validators import validate_avatar

from .conftest import errors

pytestmark = pytest.mark.django_db(transaction=True)

AVATAR = "/api/v1/accounts/user/avatar/"


def noise(fmt: str, size: tuple[int, int] = (400, 300)) -> bytes:
    """An image that does not compress away, so cutting it loses pixel data."""
    buffer = BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, fmt)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` 1-bit pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def media_files(settings: Any) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(lambda: b"just text, not an image\n" * 50, "image_invalid", id="text"),
        pytest.param(lambda: b"", "image_invalid", id="empty"),
        pytest.param(
            lambda: noise("PNG") + b"\0" * (2 * 1024 * 1024), "image_too_large", id="oversized"
        ),
        # 400 Mpx: Pillow's own bomb guard trips on opening the header
        pytest.param(lambda: png_header_only(20_000, 20_000), "image_pixels", id="400-mpx"),
        # 49 Mpx: over AVATAR_MAX_PIXELS, refused from the header
        pytest.param(lambda: png_header_only(7_000, 7_000), "image_pixels", id="49-mpx"),
        pytest.param(lambda: noise("PNG")[:20_000], "image_invalid", id="truncated-png"),
        # verify() passes a cut JPEG; only decoding every pixel finds it
        pytest.param(lambda: noise("JPEG")[:8_000], "image_invalid", id="truncated-jpeg"),
    ],
)
def test_bad_avatars_are_400_and_leave_no_file(user_client, user, settings, make, code):
    upload = SimpleUploadedFile("me.png", make(), content_type="image/png")

    response = user_client.put(AVATAR, {"avatar": upload}, format="multipart")

    assert response.status_code == 400, response.content
    assert errors(response) == [("avatar", code)]
    profile = Profile.objects.get(user=user)
    assert not profile.avatar and not profile.avatar_thumbnail
    assert media_files(settings) == []


def test_a_good_avatar_is_stored(user_client, settings):
    upload = SimpleUploadedFile("me.jpg", noise("JPEG"), content_type="image/jpeg")
    response = user_client.put(AVATAR, {"avatar": upload}, format="multipart")
    assert response.status_code == 200
    assert len(media_files(settings)) == 2  # avatar and thumbnail


def test_validator_refuses_a_truncated_image_that_verify_accepts() -> None:
    truncated = noise("JPEG")[:8_000]
    with Image.open(BytesIO(truncated)) as image:
        image.verify()  # no complaint: the header is fine
    with pytest.raises(ValidationError) as exc:
        validate_avatar(SimpleUploadedFile("cut.jpg", truncated))
    assert exc.value.code == "image_invalid"


def test_model_path_refuses_bad_files_too(user) -> None:
    """The admin and any ModelForm go through the model field's validator."""
    profile = Profile.objects.get(user=user)
    profile.avatar = SimpleUploadedFile("big.png", png_header_only(20_000, 20_000))
    with pytest.raises(ValidationError) as exc:
        profile.full_clean()
    assert [error.code for error in exc.value.error_dict["avatar"]] == ["image_pixels"]
