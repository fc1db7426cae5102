"""Avatar upload: type and size checks, thumbnail, old files removed."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from shop_accounts.models import Profile

from .conftest import errors, png_bytes

pytestmark = pytest.mark.django_db(transaction=True)  # django-cleanup acts on commit

AVATAR = "/api/v1/accounts/user/avatar/"


def upload(client: Any, content: bytes, name: str = "me.png", content_type: str = "image/png"):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.put(AVATAR, {"avatar": file}, format="multipart")


def media(settings: Any, name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def test_upload_makes_a_thumbnail(user_client, user, settings):
    response = upload(user_client, png_bytes((300, 200)))

    assert response.status_code == 200, response.content
    profile = Profile.objects.get(user=user)
    assert media(settings, profile.avatar.name).is_file()
    with Image.open(media(settings, profile.avatar_thumbnail.name)) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (128, 85)  # fits 128x128, keeps the aspect ratio
    assert response.json()["avatar_thumbnail"].endswith(profile.avatar_thumbnail.name)


def test_thumbnail_size_is_configurable(user_client, user, settings):
    settings.SHOP_ACCOUNTS = {"AVATAR_THUMBNAIL_SIZE": [32, 32]}
    upload(user_client, png_bytes((300, 300)))
    with Image.open(Profile.objects.get(user=user).avatar_thumbnail.path) as thumb:
        assert thumb.size == (32, 32)


def test_text_file_renamed_png_is_refused(user_client, user):
    response = upload(user_client, b"just some text, not an image\n" * 10)

    assert response.status_code == 400
    assert errors(response) == [("avatar", "image_invalid")]
    assert not Profile.objects.get(user=user).avatar


def test_oversize_file_is_refused(user_client, user, settings):
    settings.SHOP_ACCOUNTS = {"AVATAR_MAX_BYTES": 1000}
    content = png_bytes((300, 300))
    content += b"\0" * (1001 - len(content)) if len(content) <= 1000 else b""

    response = upload(user_client, content)

    assert response.status_code == 400
    assert errors(response) == [("avatar", "image_too_large")]
    assert not Profile.objects.get(user=user).avatar


def test_huge_pixel_count_is_refused(user_client, user, settings):
    settings.SHOP_ACCOUNTS = {"AVATAR_MAX_PIXELS": 100 * 100}

    response = upload(user_client, png_bytes((101, 100)))

    assert response.status_code == 400
    assert errors(response) == [("avatar", "image_pixels")]


def test_disallowed_format_is_refused(user_client, user, settings):
    buffer = BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "BMP")

    response = upload(user_client, buffer.getvalue(), name="me.bmp", content_type="image/bmp")

    assert response.status_code == 400
    assert errors(response) == [("avatar", "image_format")]
    assert not Profile.objects.get(user=user).avatar


def test_missing_file_is_400(user_client):
    response = user_client.put(AVATAR, {}, format="multipart")
    assert response.status_code == 400
    assert errors(response) == [("avatar", "required")]


def test_replacing_deletes_the_old_files(user_client, user, settings):
    upload(user_client, png_bytes(color="red"), name="first.png")
    first = Profile.objects.get(user=user)
    old_avatar, old_thumb = first.avatar.path, first.avatar_thumbnail.path

    response = upload(user_client, png_bytes(color="blue"), name="second.png")

    assert response.status_code == 200
    second = Profile.objects.get(user=user)
    assert Path(second.avatar.path).is_file() and Path(second.avatar_thumbnail.path).is_file()
    assert not Path(old_avatar).exists()
    assert not Path(old_thumb).exists()


def test_delete_removes_avatar_and_thumbnail(user_client, user):
    upload(user_client, png_bytes())
    profile = Profile.objects.get(user=user)
    files = [Path(profile.avatar.path), Path(profile.avatar_thumbnail.path)]

    assert user_client.delete(AVATAR).status_code == 204

    profile = Profile.objects.get(user=user)
    assert not profile.avatar and not profile.avatar_thumbnail
    assert not any(path.exists() for path in files)


def test_avatar_needs_login(api_client):
    assert upload(api_client, png_bytes()).status_code == 401


def test_saving_profile_without_new_avatar_keeps_thumbnail(user_client, user):
    upload(user_client, png_bytes())
    profile = Profile.objects.get(user=user)
    thumb = profile.avatar_thumbnail.name

    profile.city = "Tver"
    profile.save()

    assert Profile.objects.get(user=user).avatar_thumbnail.name == thumb


def test_pixel_bomb_is_refused_with_default_limit(user_client, user):
    buffer = BytesIO()
    Image.new("1", (7000, 7000)).save(buffer, "PNG")  # 49 Mpx in a few kilobytes
    assert len(buffer.getvalue()) < 100_000

    response = upload(user_client, buffer.getvalue())

    assert response.status_code == 400
    assert errors(response) == [("avatar", "image_pixels")]
