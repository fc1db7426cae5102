"""A project that mounts allauth's HTML pages beside the API: the package's
adapter answers like allauth there (its second factor, its links and its
"verification sent" page) and like the API on the API."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client

from .conftest import PASSWORD, APIClient
from .test_mfa import at, enable_totp

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.urls_html")]
needs_mfa = pytest.mark.skipif(
    not apps.is_installed("allauth.mfa"), reason="allauth.mfa not installed"
)


@needs_mfa
def test_the_html_login_asks_for_the_second_factor(user, user_client):
    enable_totp(user_client)
    browser = Client()
    with at(31):
        response = browser.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/authenticate/"
        # Not logged in until the code is given.
        assert "_auth_user_id" not in browser.session


@needs_mfa
def test_the_api_login_still_answers_its_own_second_step(user, user_client):
    enable_totp(user_client)
    with at(31):
        response = APIClient().post(
            "/api/v1/accounts/login/", {"email": user.email, "password": PASSWORD}
        )
    assert response.status_code == 202 and response.json()["mfa_required"] is True


def test_html_sign_up_shows_allauths_page_and_link(settings, django_capture_on_commit_callbacks):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    with django_capture_on_commit_callbacks(execute=True):  # e-mails leave after the commit
        response = Client().post(
            "/accounts/signup/",
            {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
        )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    [message] = [m for m in mail.outbox if "new@example.com" in m.to]
    assert "/accounts/confirm-email/" in message.body
    assert "/api/v1/accounts/" not in message.body
