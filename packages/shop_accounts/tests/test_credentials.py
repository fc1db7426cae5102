"""A password change or reset ends every credential issued before it.

Token mode runs in the default run; the JWT tests (marked ``jwt``) run with
``--ds=tests.settings_jwt -m jwt``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher
from django.test import Client
from rest_framework.authtoken.models import Token

from shop_accounts.models import OutgoingEmail

from .conftest import PASSWORD, APIClient, errors

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/accounts/login/"
USER = "/api/v1/accounts/user/"
CHANGE = "/api/v1/accounts/password/change/"
RESET = "/api/v1/accounts/password/reset/"
RESET_CONFIRM = "/api/v1/accounts/password/reset/confirm/"
REFRESH = "/api/v1/accounts/token/refresh/"
NEW_PASSWORD = "Another-Horse-77"


def login(password: str = PASSWORD) -> dict[str, Any]:
    response = APIClient().post(
        LOGIN, {"email": "alice@example.com", "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def with_jwt(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


def change(client: APIClient) -> Any:
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return client.post(CHANGE, data, format="json")


def reset_by_email(mailoutbox: list[Any]) -> None:
    """The whole reset: ask for the e-mail, follow its link, set a new password."""
    APIClient().post(RESET, {"email": "alice@example.com"}, format="json")
    link = re.findall(r"https?://\S+", mailoutbox[-1].body)[0]
    uid, token = link.rstrip("/").split("/")[-2:]
    data = {
        "uid": uid,
        "token": token,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    response = APIClient().post(RESET_CONFIRM, data, format="json")
    assert response.status_code == 200, response.content


# --- token mode ------------------------------------------------------------------------------


def test_reset_ends_the_token_and_the_next_login_gets_another(user, mailoutbox):
    old = login()["key"]
    assert with_token(old).get(USER).status_code == 200

    reset_by_email(mailoutbox)

    assert with_token(old).get(USER).status_code == 401
    assert login(NEW_PASSWORD)["key"] != old


def test_change_ends_old_token_and_answers_a_fresh_one(user):
    old = login()["key"]

    response = change(with_token(old))

    assert response.status_code == 200, response.content
    fresh = response.json()["key"]
    assert fresh != old
    assert with_token(old).get(USER).status_code == 401
    assert with_token(fresh).get(USER).status_code == 200


def test_change_ends_other_sessions(user):
    browser = Client()
    browser.force_login(user)
    assert browser.get(USER).status_code == 200

    assert change(with_token(login()["key"])).status_code == 200

    assert browser.get(USER).status_code == 401


def test_change_by_token_opens_no_session(user):
    response = change(with_token(login()["key"]))
    assert response.status_code == 200
    assert "sessionid" not in response.cookies


def test_change_keeps_the_session_that_made_it(user):
    browser = Client()
    browser.force_login(user)

    response = browser.post(
        CHANGE,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert browser.get(USER).status_code == 200


def test_admin_password_change_ends_the_token(user):
    """The form behind the admin's "change password" page (the custom user model's
    admin in these tests has no such page)."""
    old = login()["key"]
    form = AdminPasswordChangeForm(
        user, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert form.is_valid(), form.errors

    form.save()

    assert with_token(old).get(USER).status_code == 401


def test_set_password_anywhere_ends_the_token(user):
    old = login()["key"]

    user.set_password(NEW_PASSWORD)
    user.save()

    assert not Token.objects.filter(key=old).exists()


def test_wiping_the_password_ends_the_token(user):
    """allauth wipes the password of an unverified account taken over by a social login."""
    old = login()["key"]

    user.set_unusable_password()
    user.save(update_fields=["password"])

    assert not Token.objects.filter(key=old).exists()


def test_other_saves_keep_the_token(user):
    old = login()["key"]
    user.is_staff = True
    user.save()
    assert Token.objects.filter(key=old).exists()


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1


def test_login_that_upgrades_the_hash_keeps_the_token(user, settings):
    """A rehash on login stores the same password under a new hasher: not a change."""
    old = login()["key"]
    settings.PASSWORD_HASHERS = [
        "tests.test_credentials.QuickPBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

    assert login()["key"] == old

    user.refresh_from_db()
    assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"
    assert with_token(old).get(USER).status_code == 200


def test_change_sends_the_notice_when_notifications_are_on(user, settings, mailoutbox):
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = True

    assert change(with_token(login()["key"])).status_code == 200

    assert [m.to for m in mailoutbox] == [["alice@example.com"]]
    assert "password" in mailoutbox[0].subject.lower()
    assert OutgoingEmail.objects.get().sent_at is not None


# --- JWT mode ----------------------------------------------------------------------------------


def refreshes(refresh: str) -> bool:
    response = APIClient().post(REFRESH, {"refresh": refresh}, format="json")
    assert response.status_code in (200, 401), response.content
    return response.status_code == 200


@pytest.mark.jwt
def test_jwt_change_ends_refresh_and_access_tokens_and_answers_fresh_ones(user):
    old = login()
    spare = login()  # another device

    response = change(with_jwt(old["access"]))

    assert response.status_code == 200, response.content
    fresh = response.json()
    assert fresh["access"] and fresh["refresh"]
    assert not refreshes(old["refresh"]) and not refreshes(spare["refresh"])
    assert with_jwt(old["access"]).get(USER).status_code == 401
    assert with_jwt(fresh["access"]).get(USER).status_code == 200
    assert refreshes(fresh["refresh"])


@pytest.mark.jwt
def test_jwt_reset_ends_refresh_tokens(user, mailoutbox):
    old = login()

    reset_by_email(mailoutbox)

    assert not refreshes(old["refresh"])
    assert with_jwt(old["access"]).get(USER).status_code == 401
    assert refreshes(login(NEW_PASSWORD)["refresh"])


@pytest.mark.jwt
def test_jwt_refresh_token_rotated_before_the_change_ends_too(user):
    old = login()
    rotated = APIClient().post(REFRESH, {"refresh": old["refresh"]}, format="json").json()

    assert change(with_jwt(rotated["access"])).status_code == 200

    assert not refreshes(rotated["refresh"])


@pytest.mark.jwt
def test_jwt_change_needs_the_old_password(user):
    access = login()["access"]
    response = with_jwt(access).post(
        CHANGE, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert errors(response) == [("old_password", "required")]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
