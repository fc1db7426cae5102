"""Token login/logout, password change and password reset (token run)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from rest_framework.authtoken.models import Token

from .conftest import PASSWORD, errors

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/accounts/login/"
LOGOUT = "/api/v1/accounts/logout/"
USER = "/api/v1/accounts/user/"
CHANGE = "/api/v1/accounts/password/change/"
RESET = "/api/v1/accounts/password/reset/"
RESET_CONFIRM = "/api/v1/accounts/password/reset/confirm/"
NEW_PASSWORD = "Another-Horse-77"


def login(client: Any, email: str, password: str = PASSWORD) -> Any:
    return client.post(LOGIN, {"email": email, "password": password}, format="json")


def test_token_login_and_logout(api_client, user):
    response = login(api_client, "alice@example.com")

    assert response.status_code == 200
    key = response.json()["key"]
    assert Token.objects.get(user=user).key == key
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get(USER).json()["email"] == "alice@example.com"

    assert api_client.post(LOGOUT).status_code == 200
    assert not Token.objects.filter(user=user).exists()
    assert api_client.get(USER).status_code == 401


def test_login_is_case_insensitive_on_email(api_client, user):
    assert login(api_client, "Alice@Example.com").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [("alice@example.com", "wrong-password"), ("nobody@example.com", PASSWORD)],
)
def test_wrong_credentials_are_refused(api_client, user, email, password):
    response = login(api_client, email, password)
    assert response.status_code == 400
    assert errors(response) == [("non_field_errors", "invalid_credentials")]


@pytest.mark.parametrize("data", [{"email": "alice@example.com"}, {"password": PASSWORD}])
def test_login_needs_both_credentials(api_client, user, data):
    response = api_client.post(LOGIN, data, format="json")
    assert response.status_code == 400
    assert errors(response) in (
        [("non_field_errors", "credentials_required")],
        [("password", "required")],
    )


def test_inactive_user_cannot_log_in(api_client, user):
    user.is_active = False
    user.save()
    response = login(api_client, "alice@example.com")
    assert response.status_code == 400
    assert errors(response) == [("non_field_errors", "inactive")]  # allauth's backend says so
    assert login(api_client, "alice@example.com", "wrong").status_code == 400


def test_token_logout_without_a_token_is_400_not_logged_in(api_client):
    response = api_client.post(LOGOUT)
    assert response.status_code == 400
    assert errors(response) == [("non_field_errors", "not_logged_in")]


def test_anonymous_user_endpoint_is_401(api_client):
    assert api_client.get(USER).status_code == 401


def change(client: Any, old: str = PASSWORD, new: str = NEW_PASSWORD) -> Any:
    data = {"old_password": old, "new_password1": new, "new_password2": new}
    return client.post(CHANGE, data, format="json")


def test_password_change(user_client, user, api_client):
    response = change(user_client)

    assert response.status_code == 200, response.content
    assert response.json()["key"] == Token.objects.get(user=user).key  # stays logged in
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert login(api_client, "alice@example.com", NEW_PASSWORD).status_code == 200
    assert login(api_client, "alice@example.com", PASSWORD).status_code == 400


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, "required"),
        (
            {"old_password": "", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            "blank",
        ),
        (
            {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            "password_incorrect",
        ),
    ],
    ids=["missing", "blank", "wrong"],
)
def test_password_change_needs_the_old_password(user_client, user, data, code):
    response = user_client.post(CHANGE, data, format="json")

    assert response.status_code == 400
    assert errors(response) == [("old_password", code)]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_enforces_validators(user_client, user):
    response = change(user_client, new="123")

    assert response.status_code == 400
    assert set(errors(response)) == {
        ("new_password2", "password_too_short"),
        ("new_password2", "password_entirely_numeric"),
        ("new_password2", "password_too_common"),
    }
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_with_two_different_new_passwords(user_client, user):
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": "other-42!"}
    response = user_client.post(CHANGE, data, format="json")

    assert response.status_code == 400
    assert errors(response) == [("new_password2", "password_mismatch")]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def reset_link(message: Any) -> str:
    links = re.findall(r"https?://\S+", message.body)
    assert links, message.body
    return links[0]


def test_password_reset_default_link_then_confirm(api_client, user, mailoutbox):
    response = api_client.post(RESET, {"email": "alice@example.com"}, format="json")

    assert response.status_code == 200
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@example.com"]
    link = reset_link(mailoutbox[0])
    match = re.fullmatch(
        r"http://testserver/api/v1/accounts/password/reset/confirm/([^/]+)/([^/]+)/", link
    )
    assert match, link
    uid, token = match.groups()
    landing = api_client.get(link).json()
    assert (landing["uid"], landing["token"]) == (uid, token)

    confirm = api_client.post(
        RESET_CONFIRM,
        {"uid": uid, "token": token, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )

    assert confirm.status_code == 200, confirm.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The token is single use: it depends on the password hash.
    again = api_client.post(
        RESET_CONFIRM,
        {"uid": uid, "token": token, "new_password1": PASSWORD, "new_password2": PASSWORD},
        format="json",
    )
    assert again.status_code == 400
    assert errors(again) == [("token", "invalid_token")]


def test_password_reset_link_uses_front_end_template(api_client, user, mailoutbox, settings):
    settings.SHOP_ACCOUNTS = {"PASSWORD_RESET_URL": "https://shop.example/reset/{uid}/{token}"}

    api_client.post(RESET, {"email": "alice@example.com"}, format="json")

    match = re.fullmatch(r"https://shop.example/reset/([^/]+)/([^/]+)", reset_link(mailoutbox[0]))
    assert match
    uid, token = match.groups()
    confirm = api_client.post(
        RESET_CONFIRM,
        {"uid": uid, "token": token, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )
    assert confirm.status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_with_bad_token_is_refused(api_client, user, mailoutbox):
    api_client.post(RESET, {"email": "alice@example.com"}, format="json")
    uid = reset_link(mailoutbox[0]).rstrip("/").split("/")[-2]

    response = api_client.post(
        RESET_CONFIRM,
        {
            "uid": uid,
            "token": "bad-token",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        format="json",
    )

    assert response.status_code == 400
    assert errors(response) == [("token", "invalid_token")]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_reset_for_unknown_email_sends_nothing(api_client, mailoutbox):
    response = api_client.post(RESET, {"email": "nobody@example.com"}, format="json")
    assert response.status_code == 200  # no account enumeration
    assert mailoutbox == []


def test_password_reset_with_an_unknown_uid_is_invalid_uid(api_client, user):
    data = {"uid": "zzzz", "token": "t", "new_password1": NEW_PASSWORD}
    data["new_password2"] = NEW_PASSWORD
    response = api_client.post(RESET_CONFIRM, data, format="json")
    assert response.status_code == 400
    assert errors(response) == [("uid", "invalid_uid")]


def test_password_reset_with_an_invalid_address_is_a_coded_400(api_client):
    response = api_client.post(RESET, {"email": "not-an-address"}, format="json")
    assert response.status_code == 400
    assert errors(response) == [("email", "invalid")]
