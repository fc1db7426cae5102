"""SHOP_THROTTLING: "on" (default) keeps every rate limit; "off" (benchmarks,
fuzzing) turns off DRF's throttles and allauth's login and sign-up limits
alike, and the production profile refuses it."""

import json

from .helpers import BASE_ENV, PASSWORD, PRODUCTION_ENV, child_env, run_site

READ_SETTINGS = """
import json
import example_site.settings as s
print(json.dumps({
    "classes": s.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"],
    "rates": s.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
    "allauth": getattr(s, "ACCOUNT_RATE_LIMITS", None),
}))
"""


def throttle_settings(value: str | None) -> dict:
    result = run_site(["-c", READ_SETTINGS], child_env(BASE_ENV, SHOP_THROTTLING=value))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_throttling_is_on_by_default():
    for value in (None, "on"):
        found = throttle_settings(value)
        assert len(found["classes"]) == 4
        assert found["rates"]["shop_accounts.login"] == "10/min"
        assert found["allauth"] is None  # allauth's own defaults: 5 failures per account


def test_throttling_off_turns_off_every_limit():
    assert throttle_settings("off") == {"classes": [], "rates": {}, "allauth": False}


def test_a_misspelt_throttling_value_is_refused():
    result = run_site(["-c", READ_SETTINGS], child_env(BASE_ENV, SHOP_THROTTLING="of"))
    assert result.returncode != 0 and "SHOP_THROTTLING" in result.stderr


def test_production_refuses_throttling_off():
    result = run_site(["manage.py", "check"], child_env(PRODUCTION_ENV, SHOP_THROTTLING="off"))
    assert result.returncode != 0 and "SHOP_THROTTLING=off" in result.stderr


# The site's settings are read once per process (DRF binds its throttles at
# import), so the behaviour is checked in a process started with the value.
LOGINS = f"""
import json
import django
django.setup()
from django.test import Client, override_settings
from shop_accounts.services import create_user

with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
    create_user(email="ann@example.com", password={PASSWORD!r})
    client = Client()

    def login(password):
        return client.post(
            "/api/v1/accounts/login/",
            {{"email": "ann@example.com", "password": password}},
            content_type="application/json",
        ).status_code

    def sign_up(number):
        return client.post(
            "/api/v1/accounts/registration/",
            {{"email": f"new{{number}}@example.com", "password1": {PASSWORD!r},
             "password2": {PASSWORD!r}}},
            content_type="application/json",
        ).status_code

    wrong = [login("guess") for _ in range(6)]
    right = [login({PASSWORD!r}) for _ in range(6)]
    signups = [sign_up(number) for number in range(6)]
print(json.dumps({{"wrong": wrong, "right": right, "signups": signups}}))
"""


def test_throttling_off_lifts_login_and_sign_up_limits(site_database_url):
    # With the limits on (the default), the same steps give 429s:
    # test_accounts_flow's test_login_is_throttled and test_guessing_...
    env = child_env(
        BASE_ENV,
        SHOP_THROTTLING="off",
        DATABASE_URL=site_database_url,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    result = run_site(["-c", LOGINS], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "wrong": [400] * 6,  # six failures, none refused
        "right": [200] * 6,  # then the right password: no lockout, no 10/min
        "signups": [201] * 6,  # more sign-ups than 5 a minute
    }
