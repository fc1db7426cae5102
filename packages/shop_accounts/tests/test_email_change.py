"""Changing one's e-mail address: password, link to the new address, notice to the old."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.utils import timezone

from .conftest import PASSWORD, APIClient, email_of, errors

pytestmark = pytest.mark.django_db

EMAIL = "/api/v1/accounts/user/email/"
VERIFY = "/api/v1/accounts/registration/verify-email/"
LOGIN = "/api/v1/accounts/login/"


def ask(client: APIClient, email: str = "new@example.com", password: str = PASSWORD) -> Any:
    return client.post(EMAIL, {"email": email, "password": password}, format="json")


def key_sent_to(mailoutbox: list[Any], email: str) -> str:
    message = next(m for m in mailoutbox if m.to == [email])
    match = re.search(r"verify-email[/?=]+(?:key=)?([^/\s]+)/?", message.body)
    assert match, message.body
    return match.group(1)


def login(email: str) -> int:
    return APIClient().post(LOGIN, {"email": email, "password": PASSWORD}).status_code


def test_change_waits_for_the_new_address(user_client, user, mailoutbox):
    response = ask(user_client)

    assert response.status_code == 202, response.content
    assert response.json() == {"email": "alice@example.com", "pending": "new@example.com"}
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.com", "new@example.com"]
    notice = next(m for m in mailoutbox if m.to == ["alice@example.com"])
    assert "new@example.com" in notice.body
    # Until the link is used the login is the old address, not the new one.
    assert login("alice@example.com") == 200
    assert login("new@example.com") == 400

    verified = APIClient().post(VERIFY, {"key": key_sent_to(mailoutbox, "new@example.com")})

    assert verified.status_code == 200, verified.content
    user.refresh_from_db()
    assert email_of(user) == "new@example.com"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [
        "new@example.com"
    ]
    assert login("new@example.com") == 200
    assert login("alice@example.com") == 400
    assert user_client.get(EMAIL).json() == {"email": "new@example.com", "pending": None}


def test_spa_link_template_for_the_change(user_client, settings, mailoutbox):
    settings.SHOP_ACCOUNTS = {
        **settings.SHOP_ACCOUNTS,
        "EMAIL_VERIFICATION_URL": "https://shop.example/verify?key={key}",
        "EMAIL_CHANGE_URL": "https://shop.example/email-change?key={key}",
    }
    ask(user_client)
    link = next(m for m in mailoutbox if m.to == ["new@example.com"]).body
    assert "https://shop.example/email-change?key=" in link


def test_wrong_password_changes_nothing(user_client, user, mailoutbox):
    response = ask(user_client, password="wrong")
    assert errors(response) == [("password", "password_incorrect")]
    assert mailoutbox == [] and not EmailAddress.objects.filter(email="new@example.com").exists()


def test_an_address_of_another_account_is_refused(user_client, other_user, mailoutbox):
    response = ask(user_client, email="BOB@example.com")
    assert errors(response) == [("email", "taken")]
    assert mailoutbox == []


def test_a_used_link_is_refused(user_client, mailoutbox):
    ask(user_client)
    key = key_sent_to(mailoutbox, "new@example.com")
    assert APIClient().post(VERIFY, {"key": key}).status_code == 200
    again = APIClient().post(VERIFY, {"key": key})
    assert again.status_code == 404 and errors(again) == [(None, "invalid_key")]


def test_an_expired_link_is_refused(user_client, user, mailoutbox):
    ask(user_client)
    key = key_sent_to(mailoutbox, "new@example.com")
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=2, seconds=1)):
        response = APIClient().post(VERIFY, {"key": key})
    assert response.status_code == 410 and errors(response) == [(None, "expired_key")]
    user.refresh_from_db()
    assert email_of(user) == "alice@example.com"


def test_a_second_request_replaces_the_first(user_client, user, mailoutbox):
    ask(user_client)
    first = key_sent_to(mailoutbox, "new@example.com")
    ask(user_client, email="newer@example.com")
    assert user_client.get(EMAIL).json()["pending"] == "newer@example.com"
    assert APIClient().post(VERIFY, {"key": first}).status_code == 404


def test_anonymous_cannot_change(api_client):
    assert ask(api_client).status_code in (401, 403)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_accounts_asking_for_one_address_at_once_get_it_once(make_user):
    from django.db import connection

    from shop_core.testing import run_at_once

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    clients = []
    for name in ("alice", "bob", "carol"):
        client = APIClient()
        client.force_authenticate(make_user(f"{name}@example.com"))
        clients.append(client)

    answers = run_at_once([lambda c=c: ask(c, email="shared@example.com") for c in clients])

    assert sorted(a.status_code for a in answers) == [202, 400, 400]
    assert all(errors(a) == [("email", "taken")] for a in answers if a.status_code == 400)
    assert EmailAddress.objects.filter(email="shared@example.com").count() == 1
