"""Hostile specialist photos through the API: refused with 400, no file left in MEDIA_ROOT."""

import io
import os
import struct
import zlib
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shop_bookings.models import Specialist
from shop_bookings.services import profile, save_specialist_profile
from shop_bookings.validators import validate_photo

from .factories import error_codes, make_user

pytestmark = pytest.mark.django_db
ME = "/api/v1/bookings/specialists/me/"


def noise(fmt: str, size=(400, 300)) -> bytes:
    """An image that does not compress away, so cutting it loses pixel data."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, format=fmt)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` 1-bit pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def media_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def put_photo(api, content: bytes, name: str = "me.png"):
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    return api.put(ME, {"time_zone": "UTC", "photo": upload}, format="multipart")


@pytest.mark.parametrize(
    ("make", "code"),
    [
        pytest.param(lambda: b"just text, not an image\n" * 50, "image_invalid", id="text"),
        pytest.param(
            lambda: noise("PNG") + b"\0" * (5 * 1024 * 1024), "image_too_large", id="oversized"
        ),
        # 400 Mpx: refused from the header, before Pillow's own bomb guard
        pytest.param(lambda: png_header_only(20_000, 20_000), "image_pixels", id="400-mpx"),
        # 49 Mpx: over PHOTO_MAX_PIXELS, refused from the header
        pytest.param(lambda: png_header_only(7_000, 7_000), "image_pixels", id="49-mpx"),
        pytest.param(lambda: noise("PNG")[:20_000], "image_invalid", id="truncated-png"),
        # verify() passes a cut JPEG; only decoding every pixel finds it
        pytest.param(lambda: noise("JPEG")[:8_000], "image_invalid", id="truncated-jpeg"),
    ],
)
def test_bad_photos_are_400_and_leave_no_file(api_as, settings, make, code):
    api = api_as(make_user(specialist=True))

    response = put_photo(api, make())

    assert response.status_code == 400, response.content
    assert error_codes(response) == {"photo": [code]}
    assert not Specialist.objects.exists()
    assert media_files(settings) == []


def test_a_good_photo_is_stored(api_as, settings):
    response = put_photo(api_as(make_user(specialist=True)), noise("JPEG"), name="me.jpg")
    assert response.status_code == 200, response.data
    assert len(media_files(settings)) == 2  # photo and thumbnail


def test_validator_refuses_a_truncated_image_that_verify_accepts():
    truncated = noise("JPEG")[:8_000]
    with Image.open(io.BytesIO(truncated)) as image:
        image.verify()  # no complaint: the header is fine
    with pytest.raises(ValidationError) as info:
        validate_photo(SimpleUploadedFile("cut.jpg", truncated))
    assert info.value.code == "image_invalid"


def test_a_failing_thumbnail_leaves_no_photo_behind(settings):
    user = make_user(specialist=True)
    upload = SimpleUploadedFile("me.jpg", noise("JPEG"))
    with (
        mock.patch.object(profile, "_make_thumbnail", side_effect=OSError("disk")),
        pytest.raises(OSError),
    ):
        save_specialist_profile(user=user, data={"time_zone": "UTC"}, photo=upload)
    assert not Specialist.objects.exists()
    assert media_files(settings) == []
