"""Sign-ins (``sessions/``): listed with their client, ended one by one or all but
the current, their last use written at most once a minute; token and JWT login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import responses
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop_accounts.models import LoginRecord
from shop_core.testing import run_at_once

from .conftest import PASSWORD, APIClient, use_jwt
from .test_google import fake_google, google_login

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/accounts/login/"
LOGOUT = "/api/v1/accounts/logout/"
USER = "/api/v1/accounts/user/"
SESSIONS = "/api/v1/accounts/sessions/"
OTHERS = "/api/v1/accounts/sessions/revoke-others/"
REFRESH = "/api/v1/accounts/token/refresh/"
CHANGE = "/api/v1/accounts/password/change/"
BOTH = [pytest.param("token"), pytest.param("jwt", marks=pytest.mark.jwt)]


class Device:
    """A client that logged in with its own user agent."""

    def __init__(self, agent: str, email: str = "alice@example.com") -> None:
        self.client = APIClient(HTTP_USER_AGENT=agent)
        response = self.client.post(LOGIN, {"email": email, "password": PASSWORD}, format="json")
        assert response.status_code == 200, response.content
        self.body = response.json()
        self.use(self.body)

    def use(self, body: dict[str, Any]) -> None:
        if use_jwt():
            self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access']}")
        else:
            self.client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")

    def sign_ins(self) -> list[dict[str, Any]]:
        response = self.client.get(SESSIONS)
        assert response.status_code == 200, response.content
        return response.json()

    def current(self) -> dict[str, Any]:
        (mine,) = [s for s in self.sign_ins() if s["current"]]
        return mine

    def works(self) -> bool:
        return self.client.get(USER).status_code == 200


@pytest.mark.parametrize("mode", BOTH)
def test_a_login_is_listed_with_its_client(user, mode):
    phone = Device("Phone/1.0")
    (listed,) = phone.sign_ins()
    assert listed["current"] is True and listed["user_agent"] == "Phone/1.0"
    assert listed["kind"] == ("jwt" if use_jwt() else "token") and listed["ip"] == "127.0.0.1"
    assert listed["created_at"] and listed["last_used_at"]


@pytest.mark.parametrize("mode", BOTH)
def test_another_users_sign_in_is_a_404(user, other_user, mode):
    alice = Device("Alice")
    bob = Device("Bob", email="bob@example.com")
    response = bob.client.delete(f"{SESSIONS}{alice.current()['id']}/")
    assert response.status_code == 404
    assert alice.works() and len(alice.sign_ins()) == 1
    assert [s["user_agent"] for s in bob.sign_ins()] == ["Bob"]
    assert bob.client.delete(f"{SESSIONS}not-a-uuid/").status_code == 404


def test_token_mode_shares_one_token_per_user(user):
    phone, laptop = Device("Phone"), Device("Laptop")
    assert phone.body["key"] == laptop.body["key"]  # DRF's token is one per user
    (listed,) = phone.sign_ins()
    assert listed["user_agent"] == "Laptop"  # the last login's client
    assert phone.client.delete(f"{SESSIONS}{listed['id']}/").status_code == 204
    assert not phone.works() and not laptop.works()  # the token itself was deleted
    assert not LoginRecord.objects.exists()


def refreshes(device: Device) -> int:
    response = APIClient().post(REFRESH, {"refresh": device.body["refresh"]}, format="json")
    if response.status_code == 200:
        device.body = {**device.body, **response.json()}
        device.use(device.body)
    return response.status_code


@pytest.mark.jwt
def test_jwt_revoke_one_ends_its_refresh_token_only(user):
    phone, laptop = Device("Phone"), Device("Laptop")
    assert refreshes(laptop) == 200  # rotated: the sign-in follows the new token
    listed = {s["user_agent"]: s for s in phone.sign_ins()}
    assert set(listed) == {"Phone", "Laptop"} and listed["Phone"]["current"]
    assert phone.client.delete(f"{SESSIONS}{listed['Laptop']['id']}/").status_code == 204
    assert refreshes(laptop) == 401  # its refresh token is blacklisted
    assert refreshes(phone) == 200 and phone.works()
    assert [s["user_agent"] for s in phone.sign_ins()] == ["Phone"]


@pytest.mark.jwt
def test_jwt_revoke_all_but_the_current(user):
    phone, laptop, tablet = Device("Phone"), Device("Laptop"), Device("Tablet")
    response = phone.client.post(OTHERS)
    assert response.status_code == 200 and response.json() == {"revoked": 2}
    assert refreshes(laptop) == 401 and refreshes(tablet) == 401
    assert refreshes(phone) == 200
    assert [s["user_agent"] for s in phone.sign_ins()] == ["Phone"]


def test_token_revoke_others_keeps_the_current_token(user, other_user):
    phone = Device("Phone")
    Device("Bob", email="bob@example.com")
    response = phone.client.post(OTHERS)
    assert response.json() == {"revoked": 0} and phone.works()
    assert LoginRecord.objects.count() == 2  # bob's is not alice's to end


@pytest.mark.parametrize("mode", BOTH)
def test_last_used_is_written_at_most_once_a_minute(user, mode):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        phone = Device("Phone")
    record = LoginRecord.objects.get()

    def used_at(seconds: int) -> list[str]:
        """The UPDATE statements of one request ``seconds`` after the login."""
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            with CaptureQueriesContext(connection) as queries:
                assert phone.works()
        record.refresh_from_db()
        return [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]

    assert used_at(30) == [] and record.last_used_at == start  # not even tried
    cache.clear()  # a cache that forgot: the conditional UPDATE writes no row
    assert len(used_at(40)) == 1 and record.last_used_at == start
    assert used_at(90) == []  # tried at 40: next try a minute later
    assert len(used_at(101)) == 1
    assert record.last_used_at == start + timedelta(seconds=101)


@pytest.mark.parametrize("mode", BOTH)
def test_logout_ends_the_sign_in(user, mode):
    phone = Device("Phone")
    body = {"refresh": phone.body["refresh"]} if use_jwt() else {}
    assert phone.client.post(LOGOUT, body, format="json").status_code == 200
    assert not LoginRecord.objects.exists()


@pytest.mark.parametrize("mode", BOTH)
def test_a_password_change_ends_the_others_and_records_the_new_one(user, mode):
    phone = Device("Phone")
    response = phone.client.post(
        CHANGE,
        {
            "old_password": PASSWORD,
            "new_password1": "Another-Horse-77",
            "new_password2": "Another-Horse-77",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    phone.use(response.json())
    (listed,) = phone.sign_ins()
    assert listed["current"] is True and listed["user_agent"] == "Phone"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("mode", BOTH)
def test_simultaneous_logins_and_revocations_on_postgresql(make_user, mode):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
    make_user("alice@example.com")
    logins = run_at_once([lambda i=i: Device(f"Device {i}") for i in range(4)])
    assert all(isinstance(device, Device) for device in logins), logins
    # Token: one token, so one sign-in whoever won; JWT: one per login.
    assert LoginRecord.objects.count() == (4 if use_jwt() else 1)
    # Each device ends all the others at once: no deadlock, every row locked once.
    answers = run_at_once([lambda d=d: d.client.post(OTHERS) for d in logins])
    assert all(getattr(a, "status_code", None) == 200 for a in answers), answers
    revoked = sum(a.json()["revoked"] for a in answers)
    assert revoked == (4 if use_jwt() else 0)
    assert LoginRecord.objects.count() == (0 if use_jwt() else 1)


@responses.activate
def test_a_google_login_is_a_sign_in(user):
    fake_google("alice@example.com")
    response = google_login(APIClient(HTTP_USER_AGENT="Phone"))
    assert response.status_code == 200, response.content
    assert list(LoginRecord.objects.values_list("user_agent", flat=True)) == ["Phone"]
