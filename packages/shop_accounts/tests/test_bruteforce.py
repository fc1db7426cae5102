"""Failed-login limits (allauth's, applied to the API login): per account
and per IP; the right password is refused while locked, and the lock ends."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from .conftest import PASSWORD, errors

pytestmark = pytest.mark.django_db
LOGIN = "/api/v1/accounts/login/"


@pytest.fixture(autouse=True)
def rate_limits_on(settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
    cache.clear()
    yield
    cache.clear()


def attempt(client, password, email="alice@example.com", ip="10.0.0.1"):
    return client.post(LOGIN, {"email": email, "password": password}, format="json", REMOTE_ADDR=ip)


def test_sixth_wrong_password_locks_the_account_until_the_window_ends(api_client, user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert [attempt(api_client, "wrong").status_code for _ in range(5)] == [400] * 5
        locked = attempt(api_client, PASSWORD)
        assert locked.status_code == 429
        assert errors(locked) == [(None, "throttled")]
        # Another address does not help: the limit is per account too.
        assert attempt(api_client, PASSWORD, ip="10.0.0.2").status_code == 429
        clock.shift(timedelta(minutes=5, seconds=1))
        assert attempt(api_client, PASSWORD).status_code == 200


def test_successful_logins_do_not_count(api_client, user):
    for _ in range(8):
        assert attempt(api_client, PASSWORD).status_code == 200


def test_one_ip_guessing_many_accounts_is_limited(api_client, user):
    statuses = [
        attempt(api_client, "wrong", email=f"victim{n}@example.com").status_code for n in range(11)
    ]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    # The real owner from another address is not locked out by that IP.
    assert attempt(api_client, PASSWORD, ip="10.9.9.9").status_code == 200
