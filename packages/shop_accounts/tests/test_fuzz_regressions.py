"""Regressions found by fuzzing the API (schemathesis): answers match the schema."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shop_core.testing import assert_matches_schema, openapi

from .conftest import PASSWORD, errors, png_bytes

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


PREFIX = "/api/v1/accounts/"


def test_error_answers_match_the_schema(api_client, user_client, make_user, settings):
    """Each kind of error answer of the package, checked against the schema."""
    settings.ACCOUNT_PREVENT_ENUMERATION = False
    make_user("taken@example.com")
    document = openapi()
    not_an_image = SimpleUploadedFile("me.png", b"text", content_type="image/png")
    answers = [
        ("registration/verify-email/", api_client.post, {"key": "forged"}, 404),
        (
            "registration/",
            api_client.post,
            {"email": "taken@example.com", "password1": PASSWORD, "password2": PASSWORD},
            400,
        ),
        ("login/", api_client.post, {"email": "x@example.com", "password": "wrong"}, 400),
        ("password/change/", user_client.post, {"old_password": "x"}, 400),
        ("user/", user_client.patch, {"profile": {"phone": "junk"}}, 400),
        ("user/avatar/", user_client.put, {"avatar": not_an_image}, 400),
    ]
    for path, send, data, status in answers:
        kind = "multipart" if path == "user/avatar/" else "json"
        response = send(PREFIX + path, data, format=kind)
        assert response.status_code == status, (path, response.content)
        assert errors(response)
        method = send.__name__
        assert_matches_schema(document, PREFIX + path, method, status, response.json())
