"""Hostile product images through the admin (the upload path: a product's image inline).

Each bad upload is refused with a form error and leaves no file in MEDIA_ROOT.
"""

import io
import os
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shop_catalog.models import ProductImage

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


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


def post_image(admin_client, product, content: bytes, name: str = "photo.png"):
    data = {
        "name": product.name,
        "slug": product.slug,
        "category": product.category_id,
        "description": "",
        "is_active": "on",
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-0-image": SimpleUploadedFile(name, content),
        "images-0-alt": "",
        "images-0-position": "0",
        "offers-TOTAL_FORMS": "0",
        "offers-INITIAL_FORMS": "0",
    }
    url = reverse("admin:shop_catalog_product_change", args=[product.pk])
    return admin_client.post(url, data)


def media_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def image_error_codes(response) -> list[str]:
    formset = response.context["inline_admin_formsets"][0].formset
    return [error.code for error in formset.errors[0].as_data().get("image", [])]


def test_a_good_image_is_stored(admin_client, settings):
    product = factories.product()
    response = post_image(admin_client, product, noise("JPEG"), name="ok.jpg")
    assert response.status_code == 302
    assert ProductImage.objects.filter(product=product).count() == 1
    assert len(media_files(settings)) == 2  # image and thumbnail


@pytest.mark.parametrize(
    ("make", "code"),
    [
        # Django's ImageField finds no image first: its own code
        pytest.param(lambda: b"just text, not an image\n" * 50, "invalid_image", id="text"),
        pytest.param(
            lambda: noise("PNG") + b"\0" * (5 * 1024 * 1024), "image_too_large", id="oversized"
        ),
        # 400 Mpx: Pillow's own bomb guard trips in Django's form field first
        pytest.param(lambda: png_header_only(20_000, 20_000), "invalid_image", id="400-mpx"),
        # 49 Mpx: over IMAGE_MAX_PIXELS, refused from the header
        pytest.param(lambda: png_header_only(7_000, 7_000), "image_pixels", id="49-mpx"),
        pytest.param(lambda: noise("PNG")[:20_000], "invalid_image", id="truncated-png"),
        # verify() passes a cut JPEG; only decoding every pixel finds it
        pytest.param(lambda: noise("JPEG")[:8_000], "image_invalid", id="truncated-jpeg"),
    ],
)
def test_bad_images_are_refused_and_leave_no_file(admin_client, settings, make, code):
    product = factories.product()
    response = post_image(admin_client, product, make())
    assert response.status_code == 200  # the form again, with errors
    assert code in image_error_codes(response)
    assert not ProductImage.objects.exists()
    assert media_files(settings) == []


def test_validator_refuses_a_truncated_image_that_verify_accepts():
    from django.core.exceptions import ValidationError

    from shop_catalog.validators import validate_image

    truncated = noise("JPEG")[:8_000]
    with Image.open(io.BytesIO(truncated)) as image:
        image.verify()  # no complaint: the header is fine
    with pytest.raises(ValidationError) as exc:
        validate_image(SimpleUploadedFile("cut.jpg", truncated))
    assert exc.value.code == "image_invalid"
