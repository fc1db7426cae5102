"""Steps of the end-to-end stories, shared by the site's tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.core import mail
from django.test import TestCase
from rest_framework.test import APIClient

PASSWORD = "Correct-Horse-42"
DEMO_PASSWORD = "shop-demo-2026"


def error_codes(response) -> list[str]:
    """The codes of an error answer (the packages' one body: ``{"type", "errors"}``)."""
    return [error["code"] for error in response.json()["errors"]]


def register_and_verify(client: APIClient, email: str, **extra: object) -> None:
    # E-mails leave after the commit, which a test's transaction never reaches.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/api/v1/accounts/registration/",
            {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra},
            format="json",
        )
    assert response.status_code == 201, response.content
    message = next(m for m in reversed(mail.outbox) if email in m.to)
    key = re.search(r"/verify-email/([^/\s]+)/", message.body).group(1)
    response = client.post(
        "/api/v1/accounts/registration/verify-email/", {"key": key}, format="json"
    )
    assert response.status_code == 200, response.content


def logged_in(email: str, password: str = PASSWORD) -> APIClient:
    """A new API client carrying the user's token."""
    client = APIClient()
    response = client.post(
        "/api/v1/accounts/login/", {"email": email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['key']}")
    return client


# --- The site in other processes (its settings read once, at start) --------

SITE_DIR = Path(__file__).resolve().parent.parent
BASE_ENV = {
    "DJANGO_SETTINGS_MODULE": "example_site.settings",
    "DJANGO_SECRET_KEY": "tests-only-not-secret",
    "DJANGO_DEBUG": "0",
    "DJANGO_LOG_LEVEL": "ERROR",
}
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "example_site.settings_production",
    "DJANGO_SECRET_KEY": "p7Yq2!vL0s9#Kx4m&Rb8Zt1@Wn6$Hc3^Jd5*Fg0(Ue2)Ia7_Ob",
    "DJANGO_ALLOWED_HOSTS": "shop.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://shop.example.com",
    "DJANGO_CORS_ALLOWED_ORIGINS": "https://app.example.com",
    "DJANGO_DEBUG": "0",
    # A shared cache; `manage.py check` does not connect to it.
    "CACHE_URL": "db://shop_cache",
}
# What the environment running the tests may set and a child must not inherit.
SITE_VARIABLES = ("CACHE_URL", "REDIS_URL", "SHOP_THROTTLING", "SHOP_DEMO", "DJANGO_DEBUG")


def child_env(*profiles: dict[str, str], **overrides: str) -> dict[str, str]:
    """The test run's environment without the site's variables, plus ``profiles``."""
    env = {k: v for k, v in os.environ.items() if k not in SITE_VARIABLES}
    for profile in profiles:
        env.update(profile)
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_site(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """``python ARGS`` in the site's folder; output captured as text."""
    return subprocess.run(
        [sys.executable, *args], cwd=SITE_DIR, env=env, capture_output=True, text=True
    )


# A valid delivery address (RU postal code) for tests that check out or save one.
ADDRESS = {
    "recipient": "Ольга Ким",
    "phone": "+79031234567",
    "city": "Москва",
    "street": "ул. Проверочная",
    "building": "10",
    "apartment": "",
    "postal_code": "119002",
}
