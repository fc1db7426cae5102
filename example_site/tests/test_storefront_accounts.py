"""allauth's own HTML views in the site's layout: sign-up, verification, login,
logout, reset, the Google button and the second factor."""

from __future__ import annotations

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.core import mail
from django.test import TestCase

from .helpers import DEMO_PASSWORD, PASSWORD

pytestmark = pytest.mark.django_db


def sign_up(client, email: str):
    with TestCase.captureOnCommitCallbacks(execute=True):  # e-mails leave after the commit
        return client.post(
            "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        )


def test_sign_up_verify_and_log_in_through_the_pages(client, db):
    page = client.get("/accounts/signup/").content.decode()
    assert 'href="/static/storefront/site.css"' in page  # the shop's layout
    assert re.search(r'<label for="id_email">', page)
    response = sign_up(client, "irina@example.com")
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    message = next(m for m in mail.outbox if "irina@example.com" in m.to)
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(email="irina@example.com").verified
    response = client.post("/accounts/login/", {"login": "irina@example.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/cabinet/"
    assert client.get("/cabinet/").status_code == 200


def test_the_api_keeps_its_own_answers_and_links(api_client, db):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api_client.post(
            "/api/v1/accounts/registration/",
            {"email": "api@example.com", "password1": PASSWORD, "password2": PASSWORD},
            format="json",
        )
    assert response.status_code == 201
    message = next(m for m in mail.outbox if "api@example.com" in m.to)
    assert "/api/v1/accounts/registration/verify-email/" in message.body


def test_demo_customer_logs_in_and_out_with_a_session(client, demo):
    response = client.post(
        "/accounts/login/", {"login": "customer@example.com", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "Log out" in client.get("/").content.decode()
    assert client.get("/cabinet/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/cabinet/").status_code == 302
    wrong = client.post("/accounts/login/", {"login": "b2b@example.com", "password": "nope"})
    assert wrong.status_code == 200 and "errorlist" in wrong.content.decode()


def test_password_reset_by_the_pages(client, demo):
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "customer@example.com"})
    assert response.status_code == 302
    message = next(m for m in mail.outbox if "customer@example.com" in m.to)
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", message.body)
    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    url = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    new = "Another-Horse-77"
    done = client.post(url, {"password1": new, "password2": new})
    assert done.status_code == 302
    client.logout()
    response = client.post("/accounts/login/", {"login": "customer@example.com", "password": new})
    assert response.status_code == 302 and client.get("/cabinet/").status_code == 200


def test_google_button_only_with_a_configured_app(client, db, settings):
    assert "/accounts/google/login/" not in client.get("/accounts/login/").content.decode()
    settings.GOOGLE_LOGIN_CONFIGURED = True
    assert "/accounts/google/login/" in client.get("/accounts/login/").content.decode()


def test_the_pages_ask_for_the_second_factor(client, demo):
    user = demo["customer@example.com"]
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post(
        "/accounts/login/", {"login": "customer@example.com", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/cabinet/").status_code == 302  # not logged in by the password alone
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/cabinet/").status_code == 200


def test_pages_switch_between_english_and_russian(client, db):
    assert "Catalogue" in client.get("/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="ru">' in body and "Каталог" in body
