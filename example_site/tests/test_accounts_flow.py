"""The accounts story through HTTP, with the site's custom user model."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"


def register_and_verify(api_client, email="ann@example.com"):
    response = api_client.post(
        "/api/v1/accounts/registration/",
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        format="json",
    )
    assert response.status_code == 201, response.content
    key = re.search(r"/verify-email/([^/\s]+)/", mail.outbox[-1].body).group(1)
    response = api_client.post(
        "/api/v1/accounts/registration/verify-email/", {"key": key}, format="json"
    )
    assert response.status_code == 200, response.content


def login(api_client, email="ann@example.com", password=PASSWORD):
    return api_client.post(
        "/api/v1/accounts/login/", {"email": email, "password": password}, format="json"
    )


def test_register_verify_login_and_edit_profile(api_client):
    register_and_verify(api_client)
    response = login(api_client)
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['key']}")

    me = api_client.get("/api/v1/accounts/user/").json()
    assert me["email"] == "ann@example.com"
    assert me["roles"] == ["customer"]
    assert "username" not in me  # the site's user model has none

    response = api_client.patch(
        "/api/v1/accounts/user/",
        {"first_name": "Ann", "profile": {"city": "Казань", "phone": "+79161234567"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["profile"]["city"] == "Казань"
    assert response.json()["first_name"] == "Ann"


def test_unverified_user_cannot_log_in(api_client):
    api_client.post(
        "/api/v1/accounts/registration/",
        {"email": "bob@example.com", "password1": PASSWORD, "password2": PASSWORD},
        format="json",
    )
    assert login(api_client, "bob@example.com").status_code == 400


def test_login_is_throttled(api_client):
    # The site allows 10 login attempts a minute per client.
    statuses = [login(api_client, "nobody@example.com", "wrong").status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429


def test_second_user_sees_only_own_account(api_client, demo):
    response = login(api_client, "customer@example.com", "shop-demo-2026")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['key']}")
    assert api_client.get("/api/v1/accounts/user/").json()["email"] == "customer@example.com"
    # Companies are for managers only.
    assert api_client.get("/api/v1/accounts/companies/").status_code == 403
