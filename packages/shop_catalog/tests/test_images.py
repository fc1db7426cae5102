import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shop_catalog.models import ProductImage
from shop_catalog.validators import validate_image

from . import factories

pytestmark = pytest.mark.django_db


def image_file(name="photo.png", size=(800, 600), fmt="PNG", mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, "red").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_thumbnail_is_made_on_save():
    image = ProductImage.objects.create(product=factories.product(), image=image_file())
    assert image.thumbnail
    with Image.open(image.thumbnail.path) as thumb:
        assert max(thumb.size) == 300
        assert thumb.size == (300, 225)


def test_replaced_and_deleted_files_are_removed(django_capture_on_commit_callbacks):
    image = ProductImage.objects.create(product=factories.product(), image=image_file("a.png"))
    old_image, old_thumb = image.image.path, image.thumbnail.path
    with django_capture_on_commit_callbacks(execute=True):
        image.image = image_file("b.jpg", fmt="JPEG")
        image.save()
    assert not os.path.exists(old_image) and not os.path.exists(old_thumb)
    assert os.path.exists(image.thumbnail.path)
    paths = [image.image.path, image.thumbnail.path]
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert not any(os.path.exists(p) for p in paths)


def test_validator_decodes_the_file():
    validate_image(image_file())
    with pytest.raises(ValidationError) as exc:
        validate_image(SimpleUploadedFile("fake.png", b"<?php evil(); ?>"))
    assert exc.value.code == "image_invalid"


@pytest.mark.parametrize(
    ("setting", "code"),
    [
        ({"IMAGE_MAX_BYTES": 100}, "image_too_large"),
        ({"IMAGE_MAX_PIXELS": 1000}, "image_pixels"),
        ({"IMAGE_FORMATS": ["JPEG"]}, "image_format"),
    ],
)
def test_validator_limits_come_from_the_settings(settings, setting, code):
    settings.SHOP_CATALOG = setting
    with pytest.raises(ValidationError) as exc:
        validate_image(image_file())
    assert exc.value.code == code


def test_model_validation_uses_the_validator():
    image = ProductImage(product=factories.product(), image=SimpleUploadedFile("x.png", b"nope"))
    with pytest.raises(ValidationError) as exc:
        image.full_clean()
    assert "image" in exc.value.message_dict


def test_product_detail_lists_images(api):
    offer = factories.offer()
    ProductImage.objects.create(product=offer.product, image=image_file(), alt="Front")
    body = api.get(f"/api/v1/catalog/products/{offer.product.pk}/").json()
    assert body["images"][0]["alt"] == "Front"
    assert body["images"][0]["thumbnail"].endswith("_thumb.jpg")
