"""Two-factor login (allauth.mfa TOTP and recovery codes) through the API.

Codes come from pyotp, as an authenticator app makes them; time is frozen
with time-machine so each test knows which 30-second window it is in.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pyotp
import pytest
import time_machine
from django.apps import apps
from django.test import override_settings

from .conftest import PASSWORD, APIClient, errors, use_jwt

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not apps.is_installed("allauth.mfa"), reason="allauth.mfa not installed"),
]

LOGIN = "/api/v1/accounts/login/"
MFA_LOGIN = "/api/v1/accounts/login/mfa/"
STATUS = "/api/v1/accounts/mfa/"
SETUP = "/api/v1/accounts/mfa/totp/setup/"
ACTIVATE = "/api/v1/accounts/mfa/totp/activate/"
DEACTIVATE = "/api/v1/accounts/mfa/totp/deactivate/"
RECOVERY = "/api/v1/accounts/mfa/recovery-codes/"
USER = "/api/v1/accounts/user/"
# The start of a 30-second TOTP window (a multiple of 30 since the epoch).
WINDOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=timezone.utc)


def at(seconds: float) -> Any:
    """Freeze the clock ``seconds`` after the start of ``WINDOW``."""
    return time_machine.travel(WINDOW + timedelta(seconds=seconds), tick=False)


def code_at(secret: str, seconds: float) -> str:
    return pyotp.TOTP(secret).at(WINDOW + timedelta(seconds=seconds))


def enable_totp(client: APIClient) -> tuple[str, list[str]]:
    """Turn TOTP on for the client's user at ``WINDOW``; (secret, recovery codes)."""
    with at(0):
        setup = client.post(SETUP).json()
        response = client.post(
            ACTIVATE, {"ticket": setup["ticket"], "code": code_at(setup["secret"], 0)}
        )
    assert response.status_code == 201, response.content
    return setup["secret"], response.json()["recovery_codes"]


def password_step(client: APIClient, email: str = "alice@example.com") -> Any:
    return client.post(LOGIN, {"email": email, "password": PASSWORD}, format="json")


def ticket_of(client: APIClient, email: str = "alice@example.com") -> str:
    response = password_step(client, email)
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["mfa_required"] is True and "key" not in body and "access" not in body
    return body["ticket"]


def assert_logged_in(response: Any, user: Any) -> None:
    assert response.status_code == 200, response.content
    body = response.json()
    client = APIClient()
    if use_jwt():
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    assert client.get(USER).json()["pk"] == user.pk


def test_setup_gives_an_otpauth_url_for_the_app(user_client):
    body = user_client.post(SETUP).json()

    assert body["otpauth_url"].startswith("otpauth://totp/alice%40example.com?")
    assert f"secret={body['secret']}" in body["otpauth_url"]
    assert user_client.get(STATUS).json()["active"] is False  # not before activation


def test_activate_needs_the_apps_code(user_client):
    with at(0):
        setup = user_client.post(SETUP).json()
        wrong = user_client.post(ACTIVATE, {"ticket": setup["ticket"], "code": "000000"})
    assert wrong.status_code == 400
    assert errors(wrong) == [("code", "invalid_code")]
    assert user_client.get(STATUS).json()["active"] is False

    _secret, codes = enable_totp(user_client)

    status = user_client.get(STATUS).json()
    assert status["active"] is True and status["recovery_codes_left"] == len(codes) == 10


def test_setup_ticket_expires(user_client, settings):
    settings.SHOP_ACCOUNTS = {**settings.SHOP_ACCOUNTS, "MFA_SETUP_TIMEOUT": 60}
    with at(0):
        setup = user_client.post(SETUP).json()
    with at(61):
        response = user_client.post(
            ACTIVATE, {"ticket": setup["ticket"], "code": code_at(setup["secret"], 61)}
        )
    assert response.status_code == 410
    assert errors(response) == [(None, "expired_ticket")]


def test_another_users_setup_ticket_is_refused(user_client, other_user):
    with at(0):
        setup = user_client.post(SETUP).json()
        other = APIClient()
        other.force_authenticate(other_user)
        response = other.post(
            ACTIVATE, {"ticket": setup["ticket"], "code": code_at(setup["secret"], 0)}
        )
    assert errors(response) == [("ticket", "invalid_ticket")]
    assert other.get(STATUS).json()["active"] is False


def test_second_setup_while_active_is_refused(user_client):
    enable_totp(user_client)
    response = user_client.post(SETUP)
    assert response.status_code == 400
    assert errors(response) == [("non_field_errors", "mfa_active")]


@pytest.mark.parametrize("jwt", [pytest.param(False), pytest.param(True, marks=pytest.mark.jwt)])
def test_password_alone_is_not_enough(user_client, user, jwt):
    secret, _codes = enable_totp(user_client)
    client = APIClient()
    with at(31):
        ticket = ticket_of(client)
        response = client.post(MFA_LOGIN, {"ticket": ticket, "code": code_at(secret, 31)})
        assert_logged_in(response, user)  # a JWT issued now is checked now


def test_code_is_good_to_the_last_second_of_its_window_only(user_client, user):
    secret, _codes = enable_totp(user_client)
    client = APIClient()
    code = code_at(secret, 30)  # the window 30..59 s
    with at(59.9):
        ticket = ticket_of(client)
        assert_logged_in(client.post(MFA_LOGIN, {"ticket": ticket, "code": code}), user)
    with at(60):
        ticket = ticket_of(client)
        late = client.post(MFA_LOGIN, {"ticket": ticket, "code": code_at(secret, 89)})
        assert late.status_code == 200  # the new window's code
    with at(89.9):
        ticket = ticket_of(client)
        response = client.post(MFA_LOGIN, {"ticket": ticket, "code": code})
    assert errors(response) == [("code", "invalid_code")]


def test_wrong_code_gives_no_credentials(user_client):
    enable_totp(user_client)
    client = APIClient()
    with at(31):
        ticket = ticket_of(client)
        response = client.post(MFA_LOGIN, {"ticket": ticket, "code": "123456"})
    assert response.status_code == 400
    assert errors(response) == [("code", "invalid_code")]


def test_a_used_code_is_refused_again(user_client, user):
    secret, _codes = enable_totp(user_client)
    client = APIClient()
    with at(31):
        code = code_at(secret, 31)
        assert_logged_in(client.post(MFA_LOGIN, {"ticket": ticket_of(client), "code": code}), user)
        replay = client.post(MFA_LOGIN, {"ticket": ticket_of(client), "code": code})
    assert errors(replay) == [("code", "invalid_code")]


def test_a_spent_ticket_is_refused(user_client, user):
    secret, _codes = enable_totp(user_client)
    client = APIClient()
    with at(31):
        ticket = ticket_of(client)
        assert_logged_in(
            client.post(MFA_LOGIN, {"ticket": ticket, "code": code_at(secret, 31)}), user
        )
    with at(61):
        again = client.post(MFA_LOGIN, {"ticket": ticket, "code": code_at(secret, 61)})
    assert errors(again) == [("ticket", "invalid_ticket")]


def test_a_spent_ticket_uses_up_no_recovery_code(user_client, user):
    secret, codes = enable_totp(user_client)
    client = APIClient()
    with at(31):
        ticket = ticket_of(client)
        client.post(MFA_LOGIN, {"ticket": ticket, "code": code_at(secret, 31)})
        again = client.post(MFA_LOGIN, {"ticket": ticket, "code": codes[0]})
    assert errors(again) == [("ticket", "invalid_ticket")]
    assert user_client.get(STATUS).json()["recovery_codes_left"] == len(codes)


def test_the_second_step_expires(user_client, settings):
    secret, _codes = enable_totp(user_client)
    client = APIClient()
    with at(31):
        ticket = ticket_of(client)
    with at(31 + 301):  # MFA_LOGIN_TIMEOUT is 300 s
        response = client.post(MFA_LOGIN, {"ticket": ticket, "code": code_at(secret, 332)})
    assert response.status_code == 410
    assert errors(response) == [(None, "expired_ticket")]


def test_a_forged_ticket_is_refused(user_client):
    secret, _codes = enable_totp(user_client)
    with at(31):
        response = APIClient().post(MFA_LOGIN, {"ticket": "1:abc:def", "code": code_at(secret, 31)})
    assert errors(response) == [("ticket", "invalid_ticket")]


def test_another_users_code_does_not_complete_a_login(user_client, make_user):
    enable_totp(user_client)
    bob = make_user("bob@example.com")
    bob_client = APIClient()
    bob_client.force_authenticate(bob)
    bob_secret, _codes = enable_totp(bob_client)
    client = APIClient()
    with at(31):
        alice_ticket = ticket_of(client)
        response = client.post(MFA_LOGIN, {"ticket": alice_ticket, "code": code_at(bob_secret, 31)})
    assert errors(response) == [("code", "invalid_code")]


def test_password_change_ends_a_pending_login(user_client, user):
    secret, _codes = enable_totp(user_client)
    client = APIClient()
    with at(31):
        ticket = ticket_of(client)
        user.set_password("Another-Horse-77")
        user.save()
        response = client.post(MFA_LOGIN, {"ticket": ticket, "code": code_at(secret, 31)})
    assert errors(response) == [("ticket", "invalid_ticket")]


def test_a_recovery_code_works_once(user_client, user):
    _secret, codes = enable_totp(user_client)
    client = APIClient()
    with at(31):
        first = client.post(MFA_LOGIN, {"ticket": ticket_of(client), "code": codes[0]})
        assert_logged_in(first, user)
        again = client.post(MFA_LOGIN, {"ticket": ticket_of(client), "code": codes[0]})
    assert errors(again) == [("code", "invalid_code")]
    assert user_client.get(STATUS).json()["recovery_codes_left"] == len(codes) - 1


def test_regenerated_recovery_codes_replace_the_old(user_client, user):
    _secret, old = enable_totp(user_client)
    wrong = user_client.post(RECOVERY, {"password": "wrong"})
    assert errors(wrong) == [("password", "password_incorrect")]

    new = user_client.post(RECOVERY, {"password": PASSWORD}).json()["recovery_codes"]

    assert set(new).isdisjoint(old)
    client = APIClient()
    refused = client.post(MFA_LOGIN, {"ticket": ticket_of(client), "code": old[1]})
    assert errors(refused) == [("code", "invalid_code")]
    assert_logged_in(client.post(MFA_LOGIN, {"ticket": ticket_of(client), "code": new[1]}), user)


def test_deactivate_needs_a_code_or_the_password(user_client, user):
    secret, _codes = enable_totp(user_client)
    with at(31):
        assert errors(user_client.post(DEACTIVATE, {"code": "000000"})) == [
            ("code", "invalid_code")
        ]
        assert errors(user_client.post(DEACTIVATE, {"password": "nope"})) == [
            ("password", "password_incorrect")
        ]
        assert user_client.get(STATUS).json()["active"] is True
        response = user_client.post(DEACTIVATE, {"code": code_at(secret, 31)})
    assert response.status_code == 204
    assert user_client.get(STATUS).json() == {
        "active": False,
        "created_at": None,
        "last_used_at": None,
        "recovery_codes_left": 0,
        "passkeys": 0,
    }
    assert password_step(APIClient()).status_code == 200  # the password alone again


def test_deactivate_with_the_password(user_client):
    enable_totp(user_client)
    assert user_client.post(DEACTIVATE, {"password": PASSWORD}).status_code == 204
    assert errors(user_client.post(DEACTIVATE, {"password": PASSWORD})) == [
        ("non_field_errors", "mfa_not_active")
    ]


def test_code_attempts_are_limited_per_account(user_client, settings):
    enable_totp(user_client)
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/5m/key"}
    client = APIClient()
    with at(31):
        answers = [
            client.post(MFA_LOGIN, {"ticket": ticket_of(client), "code": "111111"})
            for _attempt in range(4)
        ]
    assert [a.status_code for a in answers] == [400, 400, 400, 429]
    assert errors(answers[-1]) == [(None, "throttled")]


@override_settings(SHOP_ACCOUNTS={"MFA_LOGIN_TIMEOUT": 10})
def test_login_answer_says_how_long_the_ticket_lives(user_client):
    enable_totp(user_client)
    assert password_step(APIClient()).json()["expires_in"] == 10


def test_without_totp_login_is_unchanged(api_client, user):
    assert_logged_in(password_step(api_client), user)


def test_anonymous_cannot_manage_mfa(api_client):
    for url in (SETUP, ACTIVATE, DEACTIVATE, RECOVERY):
        assert api_client.post(url, {}).status_code in (401, 403)
    assert api_client.get(STATUS).status_code in (401, 403)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_uses_of_one_code_log_in_once(make_user):
    from django.db import connection

    from shop_core.testing import run_at_once

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    owner = APIClient()
    owner.force_authenticate(make_user("alice@example.com"))
    secret, codes = enable_totp(owner)
    clients = [APIClient() for _ in range(4)]
    with at(31):
        tickets = [ticket_of(client) for client in clients]
        for code in (code_at(secret, 31), codes[0]):  # a TOTP code, then a recovery code
            answers = run_at_once(
                [
                    lambda c=c, t=t, code=code: c.post(MFA_LOGIN, {"ticket": t, "code": code})
                    for c, t in zip(clients, tickets, strict=True)
                ]
            )
            assert sorted(a.status_code for a in answers) == [200, 400, 400, 400], [
                a.content for a in answers
            ]
            tickets = [ticket_of(client) for client in clients]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_activations_make_one_authenticator(make_user):
    from allauth.mfa.models import Authenticator
    from django.db import connection

    from shop_core.testing import run_at_once

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    user = make_user("alice@example.com")
    clients = [APIClient() for _ in range(3)]
    for client in clients:
        client.force_authenticate(user)
    with at(0):
        setups = [client.post(SETUP).json() for client in clients]
        answers = run_at_once(
            [
                lambda c=c, s=s: c.post(
                    ACTIVATE, {"ticket": s["ticket"], "code": code_at(s["secret"], 0)}
                )
                for c, s in zip(clients, setups, strict=True)
            ]
        )
    assert sorted(a.status_code for a in answers) == [201, 400, 400]
    assert Authenticator.objects.filter(user=user, type="totp").count() == 1
    assert Authenticator.objects.filter(user=user, type="recovery_codes").count() == 1
