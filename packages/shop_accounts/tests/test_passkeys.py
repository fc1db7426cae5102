"""Passkeys (WebAuthn, allauth.mfa) through the API, answered by a software
authenticator (``tests.webauthn.SoftPasskey``): register, list, remove; a passkey
as the second login step, and a passwordless login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import ec
from django.apps import apps
from django.utils import timezone
from fido2.utils import websafe_encode

from .conftest import PASSWORD, APIClient, errors
from .test_mfa import assert_logged_in, enable_totp, ticket_of
from .webauthn import SoftPasskey

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not apps.is_installed("allauth.mfa"), reason="allauth.mfa not installed"),
]

PASSKEYS = "/api/v1/accounts/mfa/passkeys/"
BEGIN = "/api/v1/accounts/mfa/passkeys/begin/"
LOGIN = "/api/v1/accounts/login/"
MFA_BEGIN = "/api/v1/accounts/login/mfa/passkey/begin/"
MFA_PASSKEY = "/api/v1/accounts/login/mfa/passkey/"
PASSWORDLESS_BEGIN = "/api/v1/accounts/login/passkey/begin/"
PASSWORDLESS = "/api/v1/accounts/login/passkey/"
STATUS = "/api/v1/accounts/mfa/"


def register(client: APIClient, *, passwordless: bool = False, name: str = "") -> SoftPasskey:
    passkey = SoftPasskey()
    begun = client.post(BEGIN, {"passwordless": passwordless}, format="json").json()
    body = {"challenge": begun["challenge"], "credential": passkey.create(begun["options"])}
    response = client.post(PASSKEYS, {**body, **({"name": name} if name else {})}, format="json")
    assert response.status_code == 201, response.content
    return passkey


def credential_id(passkey: SoftPasskey) -> str:
    return websafe_encode(passkey.credential_id)


def second_step(client: APIClient, passkey: SoftPasskey, **kwargs: Any) -> tuple[str, dict]:
    """The password step, then the passkey options; (login ticket, challenge body)."""
    ticket = client.post(
        LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json"
    ).json()["ticket"]
    begun = client.post(MFA_BEGIN, {"ticket": ticket}, format="json").json()
    answer = {"ticket": ticket, "challenge": begun["challenge"]}
    return ticket, {**answer, "credential": passkey.get(begun["options"], **kwargs)}


# Registering, listing, removing


def test_register_list_and_first_recovery_codes(user_client, user):
    passkey = SoftPasskey()
    begun = user_client.post(BEGIN, format="json").json()
    public = begun["options"]["publicKey"]
    assert public["rp"]["id"] == "testserver" and public["user"]["name"] == "alice@example.com"
    response = user_client.post(
        PASSKEYS,
        {"challenge": begun["challenge"], "credential": passkey.create(begun["options"])},
        format="json",
    )
    assert response.status_code == 201, response.content
    first = response.json()
    assert first["name"] and first["passwordless"] is False and len(first["recovery_codes"]) == 10

    second = SoftPasskey()
    begun = user_client.post(BEGIN, {"passwordless": True}, format="json").json()
    # The authenticator is told which credentials it must not make again.
    excluded = begun["options"]["publicKey"]["excludeCredentials"]
    assert [c["id"] for c in excluded] == [credential_id(passkey)]
    answer = second.create(begun["options"], resident=True)
    added = user_client.post(
        PASSKEYS,
        {"challenge": begun["challenge"], "credential": answer, "name": "Phone"},
        format="json",
    ).json()
    assert added["recovery_codes"] == []  # the first ones stay
    listed = user_client.get(PASSKEYS).json()
    assert [(p["name"], p["passwordless"]) for p in listed] == [
        (first["name"], False),
        ("Phone", True),
    ]
    status = user_client.get(STATUS).json()
    assert (status["recovery_codes_left"], status["passkeys"], status["active"]) == (10, 2, False)


def test_a_wrong_answer_is_refused(user_client):
    begun = user_client.post(BEGIN, format="json").json()
    other = user_client.post(BEGIN, format="json").json()
    answer = SoftPasskey().create(other["options"])  # signed over another challenge
    response = user_client.post(
        PASSKEYS, {"challenge": begun["challenge"], "credential": answer}, format="json"
    )
    assert errors(response) == [("credential", "invalid_code")]
    assert user_client.get(PASSKEYS).json() == []


def test_a_wrong_origin_is_refused(user_client):
    begun = user_client.post(BEGIN, format="json").json()
    answer = SoftPasskey(origin="https://evil.example").create(begun["options"])
    response = user_client.post(
        PASSKEYS, {"challenge": begun["challenge"], "credential": answer}, format="json"
    )
    assert errors(response) == [("credential", "invalid_code")]


def test_a_challenge_registers_once(user_client):
    begun = user_client.post(BEGIN, format="json").json()
    body = {"challenge": begun["challenge"], "credential": SoftPasskey().create(begun["options"])}
    assert user_client.post(PASSKEYS, body, format="json").status_code == 201
    again = user_client.post(PASSKEYS, body, format="json")
    assert errors(again) == [("challenge", "invalid_ticket")]
    assert len(user_client.get(PASSKEYS).json()) == 1


def test_an_expired_registration_is_refused(user_client):
    begun = user_client.post(BEGIN, format="json").json()
    answer = SoftPasskey().create(begun["options"])
    with time_machine.travel(timezone.now() + timedelta(seconds=601)):  # MFA_SETUP_TIMEOUT
        response = user_client.post(
            PASSKEYS, {"challenge": begun["challenge"], "credential": answer}, format="json"
        )
    assert response.status_code == 410 and errors(response) == [(None, "expired_ticket")]


def test_another_users_challenge_is_refused(user_client, other_user):
    begun = user_client.post(BEGIN, format="json").json()
    answer = SoftPasskey().create(begun["options"])
    bob = APIClient()
    bob.force_authenticate(other_user)
    response = bob.post(
        PASSKEYS, {"challenge": begun["challenge"], "credential": answer}, format="json"
    )
    assert errors(response) == [("challenge", "invalid_ticket")]
    assert bob.get(PASSKEYS).json() == [] and user_client.get(PASSKEYS).json() == []


def test_remove_needs_the_password_and_only_reaches_ones_own(user_client, other_user):
    register(user_client)
    pk = user_client.get(PASSKEYS).json()[0]["id"]
    bob = APIClient()
    bob.force_authenticate(other_user)
    assert bob.delete(f"{PASSKEYS}{pk}/", {"password": PASSWORD}, format="json").status_code == 404
    wrong = user_client.delete(f"{PASSKEYS}{pk}/", {"password": "wrong"}, format="json")
    assert errors(wrong) == [("password", "password_incorrect")]
    ok = user_client.delete(f"{PASSKEYS}{pk}/", {"password": PASSWORD}, format="json")
    assert ok.status_code == 204 and user_client.get(PASSKEYS).json() == []
    # The last second factor takes its recovery codes along.
    assert user_client.get(STATUS).json()["recovery_codes_left"] == 0
    assert user_client.delete(f"{PASSKEYS}99999999999999999999/").status_code == 404


def test_off_when_not_a_supported_type(user_client, settings):
    settings.MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
    assert user_client.post(BEGIN, format="json").status_code == 404
    assert APIClient().post(PASSWORDLESS_BEGIN).status_code == 404


# A passkey as the second login step


@pytest.mark.parametrize(
    "mode", [pytest.param("token"), pytest.param("jwt", marks=pytest.mark.jwt)]
)
def test_password_then_passkey_logs_in(user_client, user, mode):
    passkey = register(user_client)
    client = APIClient()
    step = client.post(LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json")
    assert step.status_code == 202 and "webauthn" in step.json()["methods"]
    ticket = step.json()["ticket"]
    begun = client.post(MFA_BEGIN, {"ticket": ticket}, format="json").json()
    allowed = [c["id"] for c in begun["options"]["publicKey"]["allowCredentials"]]
    assert allowed == [credential_id(passkey)]
    response = client.post(
        MFA_PASSKEY,
        {
            "ticket": ticket,
            "challenge": begun["challenge"],
            "credential": passkey.get(begun["options"]),
        },
        format="json",
    )
    assert_logged_in(response, user)
    assert user_client.get(PASSKEYS).json()[0]["last_used_at"] is not None


def test_a_forged_signature_is_refused(user_client):
    passkey = register(user_client)
    _ticket, body = second_step(APIClient(), passkey, key=ec.generate_private_key(ec.SECP256R1()))
    response = APIClient().post(MFA_PASSKEY, body, format="json")
    assert errors(response) == [("credential", "invalid_code")]


def test_a_passkey_answer_works_once(user_client, user):
    passkey = register(user_client)
    client = APIClient()
    _ticket, body = second_step(client, passkey)
    assert client.post(MFA_PASSKEY, body, format="json").status_code == 200
    again = client.post(MFA_PASSKEY, body, format="json")
    assert errors(again) == [("challenge", "invalid_ticket")]


def test_a_spent_login_ticket_cannot_be_used_again(user_client):
    passkey = register(user_client)
    client = APIClient()
    ticket, body = second_step(client, passkey)
    assert client.post(MFA_PASSKEY, body, format="json").status_code == 200
    # Refused at once: no new challenge for a spent ticket.
    begun = client.post(MFA_BEGIN, {"ticket": ticket}, format="json")
    assert errors(begun) == [("ticket", "invalid_ticket")]


def test_an_expired_passkey_step_is_refused(user_client):
    passkey = register(user_client)
    _ticket, body = second_step(APIClient(), passkey)
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        response = APIClient().post(MFA_PASSKEY, body, format="json")
    assert response.status_code == 410 and errors(response) == [(None, "expired_ticket")]


def test_another_users_passkey_cannot_finish_the_login(user_client, other_user):
    register(user_client)
    bob = APIClient()
    bob.force_authenticate(other_user)
    bobs = register(bob)
    client = APIClient()
    ticket = client.post(
        LOGIN, {"email": "alice@example.com", "password": PASSWORD}, format="json"
    ).json()["ticket"]
    begun = client.post(MFA_BEGIN, {"ticket": ticket}, format="json").json()
    body = {
        "ticket": ticket,
        "challenge": begun["challenge"],
        "credential": bobs.get(begun["options"]),
    }
    assert errors(client.post(MFA_PASSKEY, body, format="json")) == [("credential", "invalid_code")]


def test_a_user_without_a_passkey_is_told(user_client, user):
    enable_totp(user_client)
    client = APIClient()
    response = client.post(MFA_BEGIN, {"ticket": ticket_of(client)}, format="json")
    assert errors(response) == [("ticket", "no_passkey")]


# Passwordless login


@pytest.mark.parametrize(
    "mode", [pytest.param("token"), pytest.param("jwt", marks=pytest.mark.jwt)]
)
def test_passwordless_login(user_client, user, mode):
    passkey = register(user_client, passwordless=True)
    client = APIClient()
    begun = client.post(PASSWORDLESS_BEGIN).json()
    public = begun["options"]["publicKey"]
    assert public["userVerification"] == "required" and not public.get("allowCredentials")
    response = client.post(
        PASSWORDLESS,
        {"challenge": begun["challenge"], "credential": passkey.get(begun["options"])},
        format="json",
    )
    assert_logged_in(response, user)


def test_passwordless_needs_user_verification_and_a_fresh_challenge(user_client):
    passkey = register(user_client, passwordless=True)
    client = APIClient()
    begun = client.post(PASSWORDLESS_BEGIN).json()
    unverified = {
        "challenge": begun["challenge"],
        "credential": passkey.get(begun["options"], verified=False),
    }
    assert errors(client.post(PASSWORDLESS, unverified, format="json")) == [
        ("credential", "invalid_code")
    ]
    # The challenge was spent by that attempt: a good answer to it is refused too.
    replay = {**unverified, "credential": passkey.get(begun["options"])}
    assert errors(client.post(PASSWORDLESS, replay, format="json")) == [
        ("challenge", "invalid_ticket")
    ]


def test_passwordless_cannot_claim_another_user(user_client, other_user):
    mine = register(user_client, passwordless=True)
    bob = APIClient()
    bob.force_authenticate(other_user)
    bobs = register(bob, passwordless=True)
    mine.user_handle = bobs.user_handle  # alice's key, naming bob
    client = APIClient()
    begun = client.post(PASSWORDLESS_BEGIN).json()
    body = {"challenge": begun["challenge"], "credential": mine.get(begun["options"])}
    assert errors(client.post(PASSWORDLESS, body, format="json")) == [
        ("credential", "invalid_code")
    ]


def test_passwordless_expires_and_a_second_step_challenge_is_not_one(user_client):
    passkey = register(user_client, passwordless=True)
    client = APIClient()
    begun = client.post(PASSWORDLESS_BEGIN).json()
    body = {"challenge": begun["challenge"], "credential": passkey.get(begun["options"])}
    with time_machine.travel(timezone.now() + timedelta(seconds=301)):
        expired = client.post(PASSWORDLESS, body, format="json")
    assert expired.status_code == 410
    _ticket, step = second_step(client, passkey)
    del step["ticket"]
    assert errors(client.post(PASSWORDLESS, step, format="json")) == [
        ("challenge", "invalid_ticket")
    ]


def test_passwordless_off_by_setting(settings):
    settings.MFA_PASSKEY_LOGIN_ENABLED = False
    assert APIClient().post(PASSWORDLESS_BEGIN).status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_on_postgresql(make_user):
    """Two first passkeys at once make one set of recovery codes (the user's row
    lock); one challenge answered twice at once makes one passkey."""
    from allauth.mfa.models import Authenticator
    from django.db import connection

    from shop_core.testing import run_at_once

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    user = make_user("alice@example.com")
    clients = [APIClient(), APIClient()]
    for client in clients:
        client.force_authenticate(user)
    bodies = []
    for client in clients:
        begun = client.post(BEGIN, format="json").json()
        bodies.append(
            {"challenge": begun["challenge"], "credential": SoftPasskey().create(begun["options"])}
        )
    answers = run_at_once(
        [
            lambda c=c, b=b: c.post(PASSKEYS, b, format="json")
            for c, b in zip(clients, bodies, strict=True)
        ]
    )
    assert [a.status_code for a in answers] == [201, 201], answers
    assert sorted(len(a.json()["recovery_codes"]) for a in answers) == [0, 10]
    codes = Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES)
    assert codes.count() == 1

    begun = clients[0].post(BEGIN, format="json").json()
    body = {"challenge": begun["challenge"], "credential": SoftPasskey().create(begun["options"])}
    twice = run_at_once([lambda c=c: c.post(PASSKEYS, body, format="json") for c in clients])
    assert sorted(a.status_code for a in twice) == [201, 400]
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 3


def test_leaving_with_passkeys_only_needs_a_recovery_code(user_client, user):
    from django.contrib.auth import get_user_model

    begun = user_client.post(BEGIN, format="json").json()
    added = user_client.post(
        PASSKEYS,
        {"challenge": begun["challenge"], "credential": SoftPasskey().create(begun["options"])},
        format="json",
    ).json()
    delete = "/api/v1/accounts/user/delete/"
    assert user_client.get(delete).json()["code_required"] is True
    missing = user_client.post(delete, {"password": PASSWORD}, format="json")
    assert errors(missing) == [("code", "code_required")]
    code = added["recovery_codes"][0]
    done = user_client.post(delete, {"password": PASSWORD, "code": code}, format="json")
    assert done.status_code == 204
    assert not get_user_model()._default_manager.filter(pk=user.pk).exists()
