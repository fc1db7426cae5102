"""Verification by code (allauth's ``ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED``) for
mobile clients: sign-up answers a ticket, the e-mail carries the code, and
``registration/verify-email/code/`` takes both."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from django.utils import timezone

from .conftest import PASSWORD, errors, users_with_email

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/accounts/registration/"
RESEND = "/api/v1/accounts/registration/resend-email/"
VERIFY = "/api/v1/accounts/registration/verify-email/code/"
LOGIN = "/api/v1/accounts/login/"


@pytest.fixture(autouse=True)
def _by_code(settings: Any) -> None:
    settings.ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
    settings.ACCOUNT_EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS = 3


def sign_up(client: Any, email: str = "new@example.com") -> dict[str, Any]:
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    response = client.post(REGISTER, data, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def code_in(message: Any) -> str:
    # allauth's code e-mail: the code alone on its line (``ABCD-EFGH`` by default).
    found = re.findall(r"^([A-Z0-9]{4,}(?:-[A-Z0-9]+)*)$", message.body, re.MULTILINE)
    assert found, message.body
    return found[0]


def verified(email: str = "new@example.com") -> bool:
    return EmailAddress.objects.get(email=email).verified


def test_sign_up_then_code_verifies_and_logs_in(api_client, mailoutbox):
    body = sign_up(api_client)
    assert set(body) == {"detail", "ticket", "expires_in"} and body["expires_in"] > 0
    assert len(mailoutbox) == 1 and "http" not in code_in(mailoutbox[0])
    code = code_in(mailoutbox[0])
    assert code not in body["ticket"]  # the ticket holds a keyed digest, not the code
    typed = code.lower().replace("-", " ")  # as a person types it
    response = api_client.post(VERIFY, {"ticket": body["ticket"], "code": typed})
    assert response.status_code == 200, response.content
    assert verified()
    login = api_client.post(LOGIN, {"email": "new@example.com", "password": PASSWORD})
    assert login.status_code == 200


def test_a_wrong_code_is_refused_and_attempts_are_limited(api_client, mailoutbox):
    ticket = sign_up(api_client)["ticket"]
    code = code_in(mailoutbox[0])
    for _attempt in range(3):
        wrong = api_client.post(VERIFY, {"ticket": ticket, "code": "AAAA-AAAA"})
        assert errors(wrong) == [("code", "invalid_code")]
    # Past the limit even the right code is refused: ask for a new one.
    late = api_client.post(VERIFY, {"ticket": ticket, "code": code})
    assert late.status_code == 429 and errors(late) == [(None, "throttled")]
    assert not verified()


def test_a_code_works_once(api_client, mailoutbox):
    ticket = sign_up(api_client)["ticket"]
    code = code_in(mailoutbox[0])
    assert api_client.post(VERIFY, {"ticket": ticket, "code": code}).status_code == 200
    again = api_client.post(VERIFY, {"ticket": ticket, "code": code})
    assert errors(again) == [("ticket", "invalid_ticket")]


def test_an_expired_code_is_refused(api_client, mailoutbox):
    ticket = sign_up(api_client)["ticket"]
    code = code_in(mailoutbox[0])
    later = timezone.now() + timedelta(
        seconds=allauth_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT + 1
    )
    with time_machine.travel(later):
        response = api_client.post(VERIFY, {"ticket": ticket, "code": code})
    assert response.status_code == 410 and errors(response) == [(None, "expired_ticket")]
    assert not verified()


def test_a_forged_ticket_is_refused(api_client, mailoutbox):
    sign_up(api_client)
    response = api_client.post(VERIFY, {"ticket": "forged", "code": code_in(mailoutbox[0])})
    assert errors(response) == [("ticket", "invalid_ticket")]


def test_another_sign_ups_code_does_not_verify_this_one(api_client, mailoutbox):
    mine = sign_up(api_client, "mine@example.com")["ticket"]
    sign_up(api_client, "theirs@example.com")
    their_code = code_in(mailoutbox[1])
    response = api_client.post(VERIFY, {"ticket": mine, "code": their_code})
    assert errors(response) == [("code", "invalid_code")]
    assert not verified("mine@example.com") and not verified("theirs@example.com")


def test_a_registered_address_gets_a_ticket_that_no_code_opens(api_client, make_user, mailoutbox):
    make_user("taken@example.com")
    fresh = sign_up(api_client, "fresh@example.com")
    taken = sign_up(api_client, "taken@example.com")
    assert set(taken) == set(fresh) and taken["detail"] == fresh["detail"]
    response = api_client.post(VERIFY, {"ticket": taken["ticket"], "code": code_in(mailoutbox[0])})
    assert errors(response) == [("code", "invalid_code")]


def test_resend_answers_a_new_ticket_for_a_new_code(api_client, mailoutbox):
    first = sign_up(api_client)["ticket"]
    mailoutbox.clear()
    resent = api_client.post(RESEND, {"email": "NEW@example.com"}).json()
    assert resent["ticket"] != first and len(mailoutbox) == 1
    code = code_in(mailoutbox[0])
    assert api_client.post(VERIFY, {"ticket": resent["ticket"], "code": code}).status_code == 200
    assert users_with_email("new@example.com").count() == 1 and verified()
    unknown = api_client.post(RESEND, {"email": "nobody@example.com"}).json()
    assert set(unknown) == set(resent)  # an unknown address answers alike


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_code_sent_twice_at_once_verifies_once_on_postgresql(mailoutbox):
    from django.db import connection

    from shop_core.testing import run_at_once

    from .conftest import APIClient

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    ticket = sign_up(APIClient())["ticket"]
    body = {"ticket": ticket, "code": code_in(mailoutbox[0])}
    answers = run_at_once([lambda: APIClient().post(VERIFY, body) for _ in range(3)])
    assert sorted(a.status_code for a in answers) == [200, 400, 400], answers
    assert verified()
