"""JWT login, refresh with rotation and blacklist on logout.

Run with ``pytest --ds=tests.settings_jwt -m jwt``: dj-rest-auth reads
``REST_AUTH["USE_JWT"]`` once at import.
"""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken

from .conftest import PASSWORD, errors

pytestmark = [pytest.mark.django_db, pytest.mark.jwt]

LOGIN = "/api/v1/accounts/login/"
LOGOUT = "/api/v1/accounts/logout/"
USER = "/api/v1/accounts/user/"
REFRESH = "/api/v1/accounts/token/refresh/"
VERIFY = "/api/v1/accounts/token/verify/"


def jwt_login(client: Any) -> dict[str, Any]:
    response = client.post(
        LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_login_returns_access_and_refresh_in_body(api_client, user):
    body = jwt_login(api_client)

    # Mobile clients cannot read HttpOnly cookies: both tokens are in the body.
    assert body["access"] and body["refresh"]
    assert body["user"]["email"] == "alice@example.com"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert api_client.get(USER).json()["pk"] == user.pk
    assert api_client.post(VERIFY, {"token": body["access"]}, format="json").status_code == 200


def test_unverified_user_gets_no_tokens(api_client, make_user):
    make_user("alice@example.com", email_verified=False)
    response = api_client.post(
        LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert errors(response) == [("non_field_errors", "email_not_verified")]


def test_refresh_rotates_and_blacklists_the_old_token(api_client, user):
    body = jwt_login(api_client)

    response = api_client.post(REFRESH, {"refresh": body["refresh"]}, format="json")

    assert response.status_code == 200, response.content
    new = response.json()
    assert new["access"] and new["refresh"] and new["refresh"] != body["refresh"]
    again = api_client.post(REFRESH, {"refresh": body["refresh"]}, format="json")
    assert again.status_code == 401
    assert errors(again) == [(None, "token_not_valid")]
    assert api_client.post(REFRESH, {"refresh": new["refresh"]}, format="json").status_code == 200


def test_logout_blacklists_the_refresh_token(api_client, user):
    body = jwt_login(api_client)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")

    response = api_client.post(LOGOUT, {"refresh": body["refresh"]}, format="json")

    assert response.status_code == 200, response.content
    assert BlacklistedToken.objects.filter(token__user=user).count() == 1
    api_client.credentials()
    refused = api_client.post(REFRESH, {"refresh": body["refresh"]}, format="json")
    assert refused.status_code == 401
    assert errors(refused) == [(None, "token_not_valid")]


def test_logout_without_refresh_token_is_401(api_client, user):
    body = jwt_login(api_client)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")

    response = api_client.post(LOGOUT, {}, format="json")

    assert response.status_code == 401
    assert errors(response) == [(None, "refresh_token_missing")]
    assert not BlacklistedToken.objects.filter(token__user=user).exists()


def test_bad_refresh_token_is_401(api_client, db):
    response = api_client.post(REFRESH, {"refresh": "junk"}, format="json")
    assert response.status_code == 401
    assert errors(response) == [(None, "token_not_valid")]


def test_logout_with_a_bad_refresh_token_is_401(api_client, user):
    body = jwt_login(api_client)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")

    response = api_client.post(LOGOUT, {"refresh": "junk"}, format="json")

    assert response.status_code == 401
    assert errors(response) == [(None, "token_not_valid")]
    assert not BlacklistedToken.objects.filter(token__user=user).exists()


def test_a_bad_access_token_is_one_coded_401(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer junk")
    response = api_client.get(USER)
    assert response.status_code == 401
    assert errors(response) == [(None, "token_not_valid")]


def test_verify_of_a_bad_token_is_401(api_client, db):
    response = api_client.post(VERIFY, {"token": "junk"}, format="json")
    assert response.status_code == 401
    assert errors(response) == [(None, "token_not_valid")]
