"""Every read-then-write of the package holds under real concurrency.

Needs PostgreSQL (SQLite serialises writers, so it proves nothing there):
``DATABASE_URL=postgres://... pytest -m postgres``. Where a race needs a
precise interleaving, ``Handoff`` pauses one side between its read and its
write until the other side has committed, so each test fails every time
without its guard.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection

from shop_accounts import serializers as account_serializers
from shop_accounts.adapter import AccountAdapter
from shop_accounts.exceptions import NotBusinessCustomer
from shop_accounts.models import OutgoingEmail, Profile
from shop_accounts.services import emails, get_profile, set_company_verified
from shop_accounts.services import users as users_service
from shop_core.testing import run_at_once

from .conftest import PASSWORD, APIClient, errors, use_jwt

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

REGISTER = "/api/v1/accounts/registration/"
LOGIN = "/api/v1/accounts/login/"
USER = "/api/v1/accounts/user/"
CHANGE = "/api/v1/accounts/password/change/"
REFRESH = "/api/v1/accounts/token/refresh/"
NEW_PASSWORD = "Another-Horse-77"
SIGNUPS = 8
# How long a paused side waits for the other while it may hold a lock the other needs.
WINDOW = 1.0


@pytest.fixture(autouse=True)
def _postgres_only(db: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


class Handoff:
    """Orders two threads at the one point that matters: side A reads and
    pauses; side B runs and commits; then A goes on and writes. When B needs
    a lock that A holds (the guard), A goes on after ``WINDOW`` and B
    finishes after A."""

    def __init__(self) -> None:
        self.read = threading.Event()
        self.written = threading.Event()

    def _pause(self) -> None:
        self.read.set()
        self.written.wait(WINDOW)

    def pause_before(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def paused(*args: Any, **kwargs: Any) -> Any:
            self._pause()
            return function(*args, **kwargs)

        return paused

    def pause_after(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def paused(*args: Any, **kwargs: Any) -> Any:
            result = function(*args, **kwargs)
            self._pause()
            return result

        return paused

    def then(self, function: Callable[[], Any]) -> Callable[[], Any]:
        """Side B: runs once A has read, and lets A go on when done."""

        def when_read() -> Any:
            assert self.read.wait(10), "side A never got to its pause"
            try:
                return function()
            finally:
                self.written.set()

        return when_read


def sign_up(email: str) -> Callable[[], Any]:
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    return lambda: APIClient().post(REGISTER, data, format="json")


def fresh(user: Any) -> Any:
    """The user as stored now: each thread works on its own copy, as a request does."""
    return get_user_model()._default_manager.get(pk=user.pk)


def change_password(user: Any) -> Callable[[], Any]:
    def change() -> Any:
        client = APIClient()
        client.force_authenticate(fresh(user))
        data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD}
        data["new_password2"] = NEW_PASSWORD
        response = client.post(CHANGE, data, format="json")
        assert response.status_code == 200, response.content
        return response

    return change


def log_in(password: str = PASSWORD) -> Any:
    data = {"email": "alice@example.com", "password": password}
    return APIClient().post(LOGIN, data, format="json")


def credential_still_works(body: dict[str, Any]) -> bool:
    """Whether a login answer's credential (token, or JWT refresh token) still works."""
    client = APIClient()
    if "key" in body:
        client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
        return client.get(USER).status_code == 200
    return client.post(REFRESH, {"refresh": body["refresh"]}, format="json").status_code == 200


# --- sign-up ---------------------------------------------------------------------------------


@pytest.mark.parametrize("usernames", ["from the address", "all different"])
@pytest.mark.parametrize("prevent_enumeration", [False, True])
def test_simultaneous_signups_with_one_address_make_one_account(
    settings, monkeypatch, prevent_enumeration, usernames
):
    settings.ACCOUNT_PREVENT_ENUMERATION = prevent_enumeration
    if usernames == "all different":  # so only the e-mail's unique index can refuse
        numbers = itertools.count()  # next() of a count is atomic, unlike a generator's
        monkeypatch.setattr(
            AccountAdapter, "generate_unique_username", lambda self, *a: f"user{next(numbers)}"
        )

    responses = run_at_once([sign_up("twin@example.com") for _ in range(SIGNUPS)])

    statuses = sorted(r.status_code for r in responses)
    if prevent_enumeration:  # every answer looks like a new sign-up
        assert statuses == [201] * SIGNUPS
    else:
        assert statuses == [201] + [400] * (SIGNUPS - 1)
        refused = [errors(r) for r in responses if r.status_code == 400]
        assert refused == [[("email", "taken")]] * (SIGNUPS - 1)
    assert get_user_model()._default_manager.count() == 1
    assert EmailAddress.objects.filter(email__iexact="twin@example.com").count() == 1


def test_simultaneous_signups_whose_generated_usernames_collide():
    """``same@a.example`` and ``same@b.example`` both get the username "same" first."""
    addresses = [f"same@{i}.example.com" for i in range(SIGNUPS)]

    responses = run_at_once([sign_up(address) for address in addresses])

    assert [r.status_code for r in responses] == [201] * SIGNUPS
    assert EmailAddress.objects.count() == SIGNUPS


# --- credentials -----------------------------------------------------------------------------


@pytest.mark.parametrize("run", ["token", pytest.param("jwt", marks=pytest.mark.jwt)])
def test_login_racing_a_password_change_gets_no_lasting_credential(user, monkeypatch, run):
    """The login checks the old password, the change commits, then the login
    issues its credential: it must not survive the change."""
    assert use_jwt() == (run == "jwt")
    handoff = Handoff()
    serializer = account_serializers.LoginSerializer
    monkeypatch.setattr(serializer, "validate", handoff.pause_after(serializer.validate))

    login, _change = run_at_once([log_in, handoff.then(change_password(user))])

    assert login.status_code in (200, 400), login.content
    if login.status_code == 200:
        assert not credential_still_works(login.json())
    else:
        assert errors(login) == [("non_field_errors", "invalid_credentials")]
    assert log_in(NEW_PASSWORD).status_code == 200


@pytest.mark.jwt
def test_refresh_racing_a_password_change_leaves_no_usable_refresh_token(user, monkeypatch):
    """The refresh checks its token, the change blacklists everything, then the
    refresh rotates: the rotated token must not survive the change."""
    from rest_framework_simplejwt.tokens import RefreshToken

    refresh = log_in().json()["refresh"]
    handoff = Handoff()
    monkeypatch.setattr(RefreshToken, "blacklist", handoff.pause_before(RefreshToken.blacklist))

    def refresh_once() -> Any:
        return APIClient().post(REFRESH, {"refresh": refresh}, format="json")

    rotated, _change = run_at_once([refresh_once, handoff.then(change_password(user))])

    assert rotated.status_code in (200, 401), rotated.content
    if rotated.status_code == 200:
        assert not credential_still_works(rotated.json())


def test_profile_edit_racing_a_password_change_keeps_the_new_password(user, monkeypatch):
    """The edit loaded the user before the change: it must not write the old password back."""
    handoff = Handoff()
    serializer = account_serializers.UserSerializer
    monkeypatch.setattr(serializer, "validate", handoff.pause_after(serializer.validate))

    def edit() -> Any:
        client = APIClient()
        client.force_authenticate(fresh(user))
        return client.patch(USER, {"profile": {"city": "Kazan"}}, format="json")

    edited, _change = run_at_once([edit, handoff.then(change_password(user))])

    assert edited.status_code == 200, edited.content
    assert log_in(PASSWORD).status_code == 400
    assert log_in(NEW_PASSWORD).status_code == 200
    assert get_profile(user).city == "Kazan"


# --- profiles --------------------------------------------------------------------------------


def b2b(user: Any) -> Profile:
    profile = get_profile(user)
    profile.customer_kind, profile.company_name, profile.tax_number = "b2b", "Sber", "7707083893"
    profile.save()
    return profile


def test_profile_edit_racing_a_verification_keeps_the_verification(user, make_user, monkeypatch):
    """The customer's edit read the profile unverified; the manager verifies;
    the edit (of the city, not of the company) must not undo it."""
    profile = b2b(user)
    manager = make_user("manager@example.com")
    handoff = Handoff()
    update = users_service.update_profile
    monkeypatch.setattr(users_service, "update_profile", handoff.pause_before(update))

    def edit() -> Any:
        client = APIClient()
        client.force_authenticate(fresh(user))
        return client.patch(USER, {"profile": {"city": "Kazan"}}, format="json")

    def verify() -> Profile:
        return set_company_verified(profile=profile, verified=True, by=manager)

    edited, _verified = run_at_once([edit, handoff.then(verify)])

    assert edited.status_code == 200, edited.content
    stored = Profile.objects.get(pk=profile.pk)
    assert (stored.city, stored.company_verified) == ("Kazan", True)


def test_verification_racing_a_switch_to_private_customer_is_refused(user, make_user):
    """The manager's request read a business customer; the customer switches to
    private meanwhile: the verification must see the switch and be refused."""
    profile = b2b(user)
    manager = make_user("manager@example.com")

    switched = threading.Event()

    def switch() -> Any:
        client = APIClient()
        client.force_authenticate(fresh(user))
        try:
            return client.patch(USER, {"profile": {"customer_kind": "b2c"}}, format="json")
        finally:
            switched.set()

    def verify() -> Any:
        assert switched.wait(10)  # the manager's copy of the profile is old by now
        try:
            return set_company_verified(profile=profile, verified=True, by=manager)
        except Exception as exc:
            return exc

    switch_answer, verified = run_at_once([switch, verify])

    assert switch_answer.status_code == 200, switch_answer.content
    assert isinstance(verified, NotBusinessCustomer), verified
    stored = Profile.objects.get(pk=profile.pk)
    assert (stored.customer_kind, stored.company_verified) == ("b2c", False)


# --- e-mails ---------------------------------------------------------------------------------


def test_workers_racing_for_one_email_send_it_once(monkeypatch):
    # bulk_create: no post_save, so no task sends it before the race.
    [email] = OutgoingEmail.objects.bulk_create(
        [OutgoingEmail(to=["a@example.com"], subject="s", body="b")]
    )
    send = EmailBackend.send_messages

    def slow_send(*args: Any) -> Any:
        time.sleep(WINDOW)  # every worker has looked at the row before the first send ends
        return send(*args)

    monkeypatch.setattr(EmailBackend, "send_messages", slow_send)

    results = run_at_once([lambda: emails.deliver(email.pk) for _ in range(4)])

    assert sorted(results) == [False, False, False, True]
    assert len(mail.outbox) == 1
    assert OutgoingEmail.objects.get(pk=email.pk).attempts == 1
