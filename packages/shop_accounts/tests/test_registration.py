"""Registration, e-mail verification (with its 2-hour expiry) and resending."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from shop_accounts.models import OutgoingEmail
from shop_accounts.selectors import user_roles

from .conftest import PASSWORD, errors, users_with_email

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/accounts/registration/"
VERIFY = "/api/v1/accounts/registration/verify-email/"
RESEND = "/api/v1/accounts/registration/resend-email/"
LOGIN = "/api/v1/accounts/login/"


def register(client: Any, email: str = "new@example.com", **extra: Any) -> Any:
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client.post(REGISTER, data, format="json")


def link_in(message: Any) -> str:
    links = re.findall(r"https?://\S+", message.body)
    assert links, message.body
    return links[0]


def key_from_api_link(link: str) -> str:
    match = re.search(r"/registration/verify-email/([^/]+)/$", link)
    assert match, link
    return match.group(1)


def test_register_sends_api_link_by_default(api_client, mailoutbox):
    response = register(api_client)

    assert response.status_code == 201, response.content
    user = users_with_email("new@example.com").get()
    assert user.check_password(PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert address.email == "new@example.com" and not address.verified
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["new@example.com"]
    link = link_in(mailoutbox[0])
    assert link.startswith("http://testserver/api/v1/accounts/registration/verify-email/")
    # The landing page says what to POST and never verifies on GET.
    landing = api_client.get(link)
    assert landing.status_code == 200
    assert landing.json()["key"] == key_from_api_link(link)
    address.refresh_from_db()
    assert not address.verified


def test_register_link_uses_front_end_template(api_client, mailoutbox, settings):
    settings.SHOP_ACCOUNTS = {"EMAIL_VERIFICATION_URL": "https://shop.example/verify?key={key}"}

    assert register(api_client).status_code == 201

    link = link_in(mailoutbox[0])
    assert link.startswith("https://shop.example/verify?key=")
    key = link.split("key=", 1)[1]
    assert api_client.post(VERIFY, {"key": key}, format="json").status_code == 200
    assert EmailAddress.objects.get(email="new@example.com").verified


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("short1!", "password_too_short"),
        ("password123", "password_too_common"),
        ("83749201746352", "password_entirely_numeric"),
        ("new@example.com", "password_too_similar"),
    ],
)
def test_password_validators_are_enforced(api_client, mailoutbox, password, code):
    response = api_client.post(
        REGISTER,
        {"email": "new@example.com", "password1": password, "password2": password},
        format="json",
    )

    assert response.status_code == 400
    assert ("password1", code) in errors(response)
    assert not users_with_email("new@example.com").exists()
    assert mailoutbox == []


def test_mismatched_passwords_are_refused(api_client):
    response = api_client.post(
        REGISTER,
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD + "x"},
        format="json",
    )
    assert response.status_code == 400
    assert errors(response) == [("password2", "password_mismatch")]
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize("verified", [True, False])
def test_taken_address_answers_like_a_new_one_and_mails_the_owner(
    api_client, make_user, mailoutbox, verified
):
    """allauth's enumeration prevention (ACCOUNT_PREVENT_ENUMERATION, on by default)."""
    owner = make_user("taken@example.com", email_verified=verified)
    new = register(api_client, email="fresh@example.com")
    mailoutbox.clear()

    taken = register(api_client, email="TAKEN@example.com")

    assert (
        (taken.status_code, taken.json())
        == (new.status_code, new.json())
        == (
            201,
            {"detail": "Verification e-mail sent."},
        )
    )
    assert taken.headers.keys() == new.headers.keys()
    assert users_with_email("taken@example.com").get() == owner
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert [m.to for m in mailoutbox] == [["taken@example.com"]]
    assert "already" in mailoutbox[0].body.lower()
    assert "/password/reset/" in mailoutbox[0].body


@pytest.mark.parametrize("verified", [True, False])
def test_taken_address_is_refused_without_enumeration_prevention(
    api_client, make_user, mailoutbox, settings, verified
):
    settings.ACCOUNT_PREVENT_ENUMERATION = False
    make_user("taken@example.com", email_verified=verified)

    response = register(api_client, email="TAKEN@example.com")

    assert response.status_code == 400
    assert response.json()["type"] == "validation_error"
    assert errors(response) == [("email", "taken")]
    assert get_user_model().objects.count() == 1
    assert mailoutbox == []


def test_without_mandatory_verification_a_taken_address_is_refused(api_client, make_user, settings):
    """allauth too: hiding the conflict needs mandatory verification."""
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    make_user("taken@example.com")

    response = register(api_client, email="taken@example.com")

    assert response.status_code == 400
    assert errors(response) == [("email", "taken")]


def test_one_account_per_address_is_enforced_by_the_database(make_user):
    """The unique index that settles simultaneous sign-ups (see test_concurrency)."""
    make_user("taken@example.com")
    other = get_user_model()._default_manager.create(
        **{get_user_model().USERNAME_FIELD: "other@example.com"}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailAddress.objects.create(user=other, email="Taken@Example.com")


def test_verify_with_key_then_login(api_client, mailoutbox):
    register(api_client)
    key = key_from_api_link(link_in(mailoutbox[0]))

    assert (
        api_client.post(LOGIN, {"email": "new@example.com", "password": PASSWORD}).status_code
        == 400
    )
    response = api_client.post(VERIFY, {"key": key}, format="json")

    assert response.status_code == 200
    assert EmailAddress.objects.get(email="new@example.com").verified
    login = api_client.post(LOGIN, {"email": "new@example.com", "password": PASSWORD})
    assert login.status_code == 200, login.content


@pytest.mark.parametrize("key", ["not-a-key", "MQ:1tXabc:forged-signature"])
def test_bad_key_is_404_invalid_key(api_client, key):
    response = api_client.post(VERIFY, {"key": key}, format="json")
    assert response.status_code == 404
    assert errors(response) == [(None, "invalid_key")]


def test_used_key_is_404_invalid_key(api_client, mailoutbox):
    register(api_client)
    key = key_from_api_link(link_in(mailoutbox[0]))
    assert api_client.post(VERIFY, {"key": key}, format="json").status_code == 200

    response = api_client.post(VERIFY, {"key": key}, format="json")

    assert response.status_code == 404
    assert errors(response) == [(None, "invalid_key")]


@pytest.mark.parametrize("hmac", [True, False], ids=["hmac-key", "stored-key"])
@pytest.mark.parametrize(
    ("seconds", "status", "code"),
    [(2 * 3600 - 1, 200, None), (2 * 3600 + 1, 410, "expired_key")],
    ids=["2h-1s", "2h+1s"],
)
def test_verification_link_expires_after_two_hours(
    api_client, mailoutbox, settings, hmac, seconds, status, code
):
    settings.ACCOUNT_EMAIL_CONFIRMATION_HMAC = hmac
    sent_at = timezone.now()
    with time_machine.travel(sent_at, tick=False):
        register(api_client)
    key = key_from_api_link(link_in(mailoutbox[0]))

    with time_machine.travel(sent_at + timedelta(seconds=seconds), tick=False):
        response = api_client.post(VERIFY, {"key": key}, format="json")

    assert response.status_code == status, response.content
    if code:
        assert errors(response) == [(None, code)]
    assert EmailAddress.objects.get(email="new@example.com").verified is (status == 200)


def test_unverified_user_cannot_log_in(api_client):
    register(api_client)

    response = api_client.post(LOGIN, {"email": "new@example.com", "password": PASSWORD})

    assert response.status_code == 400
    assert errors(response) == [("non_field_errors", "email_not_verified")]


def test_resend_verification(api_client, mailoutbox):
    register(api_client)

    response = api_client.post(RESEND, {"email": "new@example.com"}, format="json")

    assert response.status_code == 200
    assert len(mailoutbox) == 2 and mailoutbox[1].to == ["new@example.com"]
    second_key = key_from_api_link(link_in(mailoutbox[1]))
    assert api_client.post(VERIFY, {"key": second_key}, format="json").status_code == 200


def test_resend_ignores_the_case_of_the_address(api_client, mailoutbox):
    register(api_client)
    api_client.post(RESEND, {"email": "NEW@Example.com"}, format="json")
    assert len(mailoutbox) == 2


def test_registration_is_all_or_nothing(api_client, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("role service down")

    monkeypatch.setattr("shop_accounts.services.registration.assign_role", broken)

    with pytest.raises(RuntimeError):
        register(api_client, role="supplier")

    assert not get_user_model().objects.exists()
    assert not EmailAddress.objects.exists()
    assert not OutgoingEmail.objects.exists()  # no verification e-mail for it either


def test_resend_for_unknown_or_verified_address_sends_nothing(api_client, make_user, mailoutbox):
    make_user("done@example.com")
    for email in ("nobody@example.com", "done@example.com"):
        assert api_client.post(RESEND, {"email": email}, format="json").status_code == 200
    assert mailoutbox == []


def test_default_role_is_given_at_registration(api_client):
    register(api_client)
    assert user_roles(users_with_email("new@example.com").get()) == ["customer"]


def test_no_role_when_default_role_is_none(api_client, settings):
    settings.SHOP_ACCOUNTS = {"DEFAULT_ROLE": None}
    register(api_client)
    assert user_roles(users_with_email("new@example.com").get()) == []


def test_registration_with_allowed_role(api_client):
    response = register(api_client, role="supplier")

    assert response.status_code == 201
    user = users_with_email("new@example.com").get()
    assert user_roles(user) == ["customer", "supplier"]


@pytest.mark.parametrize("role", ["manager", "wizard"])
def test_registration_with_role_not_allowed_is_refused(api_client, role):
    response = register(api_client, role=role)

    assert response.status_code == 400
    assert errors(response) == [("role", "invalid_choice")]
    assert not get_user_model().objects.exists()


def test_registration_as_business_customer(api_client):
    response = register(
        api_client, customer_kind="b2b", company_name="Sber", tax_number="7707083893"
    )

    assert response.status_code == 201, response.content
    profile = users_with_email("new@example.com").get().shop_profile
    assert (profile.customer_kind, profile.company_name, profile.tax_number) == (
        "b2b",
        "Sber",
        "7707083893",
    )
    assert not profile.company_verified


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"customer_kind": "b2b", "tax_number": "7707083893"}, ("company_name", "required")),
        ({"customer_kind": "b2b", "company_name": "Sber"}, ("tax_number", "required")),
        (
            {"customer_kind": "b2b", "company_name": "Sber", "tax_number": "7707083894"},
            ("tax_number", "inn_checksum"),
        ),
        (
            {"customer_kind": "b2b", "company_name": "Sber", "tax_number": "77"},
            ("tax_number", "inn_length"),
        ),
    ],
)
def test_business_registration_needs_valid_company(api_client, extra, error):
    response = register(api_client, **extra)

    assert response.status_code == 400
    assert errors(response) == [error]
    assert not get_user_model().objects.exists()
