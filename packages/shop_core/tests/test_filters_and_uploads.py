import io

import django_filters
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from shop_core.filters import BoundedIsoDateTimeFilter, FilterBackend
from shop_core.uploads import make_thumbnail, validate_image

from .models import Message


class MessageFilter(django_filters.FilterSet):
    created_after = BoundedIsoDateTimeFilter(field_name="created", lookup_expr="gte")

    class Meta:
        model = Message
        fields: list = []


class View:
    filterset_class = MessageFilter


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "code"),
    [("9999-12-31T00:00:00-14:00", "out_of_range"), ("٢٠٢٦-01-01T00:00:00Z", "non_ascii_digits")],
)
def test_filter_errors_keep_their_codes(value, code):
    request = Request(APIRequestFactory().get("/", {"created_after": value}))
    with pytest.raises(DRFValidationError) as caught:
        FilterBackend().filter_queryset(request, Message.objects.all(), View())
    assert caught.value.detail["created_after"][0].code == code


@pytest.mark.django_db
def test_filter_in_range_filters():
    Message.objects.create(text="x")
    request = Request(APIRequestFactory().get("/", {"created_after": "2000-01-01T00:00:00Z"}))
    assert FilterBackend().filter_queryset(request, Message.objects.all(), View()).count() == 1


def _png(size=(40, 20), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png")


LIMITS = {"max_bytes": 100_000, "max_pixels": 10_000, "formats": ["png", "jpeg"]}


def test_a_valid_image_passes():
    validate_image(_png(), **LIMITS)


@pytest.mark.parametrize(
    ("upload", "limits", "code"),
    [
        (lambda: _png(), {"max_bytes": 10}, "image_too_large"),
        (lambda: _png((200, 200)), {}, "image_pixels"),
        (lambda: _png(), {"formats": ["jpeg"]}, "image_format"),
        (lambda: SimpleUploadedFile("a.png", b"not an image"), {}, "image_invalid"),
        (lambda: SimpleUploadedFile("a.png", _png().read()[:60]), {}, "image_invalid"),
    ],
)
def test_bad_images_are_refused_with_a_code(upload, limits, code):
    with pytest.raises(ValidationError) as caught:
        validate_image(upload(), **{**LIMITS, **limits})
    assert caught.value.code == code


@pytest.mark.parametrize(("mode", "ext"), [("RGB", "jpg"), ("RGBA", "png")])
def test_thumbnail_is_small_and_keeps_transparency(mode, ext):
    thumb = make_thumbnail(_png((400, 200), mode), (100, 100))
    assert thumb.name == f"a_thumb.{ext}"
    with Image.open(thumb) as image:
        assert image.size == (100, 50)
