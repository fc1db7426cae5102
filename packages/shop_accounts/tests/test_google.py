"""Google login offline: the provider's userinfo request is faked with ``responses``."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token

from shop_accounts.selectors import user_roles

from .conftest import errors, users_with_email

pytestmark = pytest.mark.django_db

GOOGLE = "/api/v1/accounts/google/"
USERINFO = "https://www.googleapis.com/oauth2/v2/userinfo"


def fake_google(email: str, *, verified: bool = True, name: str = "Greta Garbo") -> None:
    responses.add(
        responses.GET,
        USERINFO,
        json={
            "id": "108204268033311374519",
            "email": email,
            "verified_email": verified,
            "name": name,
            "given_name": name.split()[0],
            "family_name": name.split()[-1],
            "picture": "https://lh3.googleusercontent.com/a/photo.jpg",
        },
    )


def google_login(client: Any) -> Any:
    return client.post(GOOGLE, {"access_token": "ya29.fake-token"}, format="json")


@responses.activate
def test_google_login_creates_user_with_profile_and_default_role(api_client):
    fake_google("greta@gmail.com")

    response = google_login(api_client)

    assert response.status_code == 200, response.content
    user = users_with_email("greta@gmail.com").get()
    assert response.json()["key"] == Token.objects.get(user=user).key
    assert responses.calls[0].request.headers["Authorization"] == "Bearer ya29.fake-token"
    assert user.shop_profile.full_name == "Greta Garbo"
    assert user_roles(user) == ["customer"]
    assert SocialAccount.objects.get(user=user).uid == "108204268033311374519"
    assert EmailAddress.objects.get(user=user).verified


@responses.activate
def test_google_login_links_existing_user_with_same_verified_email(api_client, user):
    fake_google("alice@example.com")

    response = google_login(api_client)

    assert response.status_code == 200, response.content
    assert get_user_model().objects.count() == 1
    assert response.json()["key"] == Token.objects.get(user=user).key
    assert SocialAccount.objects.get(provider="google").user == user
    # Logging in again through Google finds the linked account.
    fake_google("alice@example.com")
    assert google_login(api_client).status_code == 200
    assert SocialAccount.objects.count() == 1


@responses.activate
def test_google_login_second_time_reuses_the_account(api_client):
    fake_google("greta@gmail.com")
    google_login(api_client)
    fake_google("greta@gmail.com")

    assert google_login(api_client).status_code == 200
    assert get_user_model().objects.count() == 1


@responses.activate
def test_google_rejecting_the_token_is_400(api_client):
    responses.add(responses.GET, USERINFO, status=401, json={"error": "invalid_token"})

    response = google_login(api_client)

    assert response.status_code == 400
    assert errors(response) == [("non_field_errors", "provider_refused")]
    assert not get_user_model().objects.exists()


@responses.activate
def test_google_out_of_reach_is_503_not_500():
    """Found by fuzzing: a connection error to Google was a 500."""
    import requests
    from rest_framework.test import APIClient

    responses.add(responses.GET, USERINFO, body=requests.ConnectionError("no route to host"))

    # A 5xx is reported like any server error (got_request_exception, for Sentry),
    # which the test client would re-raise.
    response = google_login(APIClient(raise_request_exception=False))

    assert response.status_code == 503
    assert response.json()["type"] == "server_error"
    assert errors(response) == [(None, "provider_unavailable")]
    assert not get_user_model().objects.exists()


@responses.activate
def test_google_access_token_and_code_together_is_not_a_500(api_client):
    """Found by fuzzing: both at once sent the token string where a dict was read."""
    fake_google("both@example.com")

    response = api_client.post(
        GOOGLE, {"access_token": "ya29.fake-token", "code": "4/0Ab"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert users_with_email("both@example.com").exists()


def test_google_login_needs_a_token(api_client):
    response = api_client.post(GOOGLE, {}, format="json")
    assert response.status_code == 400
    assert errors(response) == [("non_field_errors", "token_required")]


@responses.activate
def test_google_with_unverified_email_does_not_take_over_an_account(api_client, user, mailoutbox):
    fake_google("alice@example.com", verified=False)

    response = google_login(api_client)

    assert response.status_code == 400
    assert errors(response) == [("non_field_errors", "taken")]
    assert not SocialAccount.objects.exists()
    assert not Token.objects.filter(user=user).exists()
    # allauth tells the address owner instead; the link must work without
    # allauth's HTML views mounted.
    assert "http://testserver/api/v1/accounts/password/reset/" in mailoutbox[0].body


@responses.activate
def test_google_locks_out_whoever_preregistered_the_address(api_client, make_user):
    """Someone registered the victim's address without verifying it; when the
    owner signs in with Google, allauth links the account but wipes the
    password, so the squatter loses access."""
    squatter = make_user("alice@example.com", email_verified=False)
    fake_google("alice@example.com")

    response = google_login(api_client)

    assert response.status_code == 200
    assert SocialAccount.objects.get().user == squatter
    squatter.refresh_from_db()
    assert not squatter.has_usable_password()


@responses.activate
def test_google_code_flow_uses_the_configured_callback_url(api_client, settings):
    settings.SHOP_ACCOUNTS = {"GOOGLE_CALLBACK_URL": "https://shop.example/auth/google"}
    responses.add(
        responses.POST,
        "https://oauth2.googleapis.com/token",
        json={"access_token": "ya29.from-code", "expires_in": 3599, "token_type": "Bearer"},
    )
    fake_google("greta@gmail.com")

    response = api_client.post(GOOGLE, {"code": "4/0A-code"}, format="json")

    assert response.status_code == 200, response.content
    exchange = responses.calls[0].request
    assert "redirect_uri=https%3A%2F%2Fshop.example%2Fauth%2Fgoogle" in exchange.body
    assert "code=4%2F0A-code" in exchange.body
    assert responses.calls[1].request.headers["Authorization"] == "Bearer ya29.from-code"
    assert users_with_email("greta@gmail.com").exists()


def test_google_code_flow_without_callback_url_is_400(api_client):
    response = api_client.post(GOOGLE, {"code": "4/0A-code"}, format="json")
    assert response.status_code == 400
    assert errors(response) == [("non_field_errors", "code_flow_not_configured")]
    assert not get_user_model().objects.exists()


@pytest.mark.skipif(not apps.is_installed("allauth.mfa"), reason="allauth.mfa not installed")
@responses.activate
def test_google_login_asks_for_the_second_factor(api_client, user, user_client):
    from .test_mfa import MFA_LOGIN, at, code_at, enable_totp

    secret, codes = enable_totp(user_client)
    fake_google("alice@example.com")
    with at(31):
        step = google_login(api_client)
        assert step.status_code == 202, step.content
        body = step.json()
        assert body["mfa_required"] is True and "key" not in body
        assert not Token.objects.filter(user=user).exists()
        ticket = body["ticket"]
        wrong = api_client.post(MFA_LOGIN, {"ticket": ticket, "code": "000000"}, format="json")
        assert errors(wrong) == [("code", "invalid_code")]
        done = api_client.post(
            MFA_LOGIN, {"ticket": ticket, "code": code_at(secret, 31)}, format="json"
        )
        again = api_client.post(MFA_LOGIN, {"ticket": ticket, "code": codes[0]}, format="json")
    assert done.status_code == 200 and done.json()["key"] == Token.objects.get(user=user).key
    assert errors(again) == [("ticket", "invalid_ticket")]


@pytest.mark.skipif(not apps.is_installed("allauth.mfa"), reason="allauth.mfa not installed")
@responses.activate
def test_google_login_of_another_user_is_not_held_back(api_client, user, other_user, user_client):
    from .test_mfa import enable_totp

    enable_totp(user_client)  # alice's second factor does not concern bob
    fake_google("bob@example.com")
    response = google_login(api_client)
    assert response.status_code == 200 and response.json()["key"]
