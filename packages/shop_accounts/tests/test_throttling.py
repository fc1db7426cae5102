"""Login, registration and reset are throttled once the site sets a rate."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle

from shop_accounts.views import LoginView

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/accounts/login/"


@pytest.fixture
def rates(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    # DRF binds THROTTLE_RATES at import; override_settings cannot change it.
    rates: dict[str, str] = {}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    return rates


def login(client: Any, password: str = "wrong-password") -> int:
    data = {"email": "alice@example.com", "password": password}
    return client.post(LOGIN, data, format="json").status_code


def test_login_is_throttled_after_the_limit(api_client, user, rates):
    rates["shop_accounts.login"] = "3/min"

    assert [login(api_client) for _ in range(3)] == [400, 400, 400]
    assert login(api_client, PASSWORD) == 429  # even the right password


def test_throttle_counts_per_client_address(api_client, user, rates):
    rates["shop_accounts.login"] = "1/min"
    assert login(api_client) == 400
    assert login(api_client) == 429

    other = api_client.__class__(REMOTE_ADDR="10.0.0.2")
    assert login(other, PASSWORD) == 200


def test_registration_has_its_own_scope(api_client, rates):
    rates["shop_accounts.register"] = "2/hour"
    url = "/api/v1/accounts/registration/"

    codes = [api_client.post(url, {"email": "bad"}, format="json").status_code for _ in range(3)]

    assert codes == [400, 400, 429]
    assert login(api_client) == 400  # the login scope is not limited


def test_password_reset_has_its_own_scope(api_client, rates, mailoutbox):
    rates["shop_accounts.password_reset"] = "1/hour"
    url = "/api/v1/accounts/password/reset/"
    assert api_client.post(url, {"email": "a@example.com"}).status_code == 200
    assert api_client.post(url, {"email": "a@example.com"}).status_code == 429


def test_no_rate_means_no_limit(api_client, user, rates):
    assert [login(api_client) for _ in range(10)] == [400] * 10


def test_site_wide_scoped_throttle_does_not_count_twice(api_client, user, rates, monkeypatch):
    monkeypatch.setattr(LoginView, "throttle_classes", [ScopedRateThrottle])
    rates["shop_accounts.login"] = "2/min"

    assert [login(api_client) for _ in range(3)] == [400, 400, 429]
