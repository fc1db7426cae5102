"""Regressions found by fuzzing the API (schemathesis): answers match the schema."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shop_core.testing import openapi

from .conftest import png_bytes

pytestmark = pytest.mark.django_db(transaction=True)  # django-cleanup acts on commit

AVATAR = "/api/v1/accounts/user/avatar/"


def test_avatar_answer_has_absolute_urls_as_the_schema_says(user_client):
    file = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
    response = user_client.put(AVATAR, {"avatar": file}, format="multipart")
    assert response.status_code == 200, response.content
    schema = openapi()["components"]["schemas"]["Avatar"]["properties"]
    assert schema["avatar"]["format"] == "uri"
    body = response.json()
    for name in ("avatar", "avatar_thumbnail"):
        assert body[name].startswith("http://testserver/"), body  # was "/media/..."
