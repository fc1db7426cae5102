"""Fixtures of the shop_accounts tests.

The token run (``pytest``) skips the tests marked ``jwt``; the JWT run
(``pytest --ds=tests.settings_jwt -m jwt``) runs only them: dj-rest-auth reads
``REST_AUTH`` once at import, so one process cannot test both. The whole
token suite also runs with a custom user model that has no username
(``pytest --ds=tests.settings_custom_user``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from io import BytesIO
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from PIL import Image
from rest_framework import test as drf_test

from shop_accounts.services import create_user

PASSWORD = "Correct-Horse-42"


def use_jwt() -> bool:
    return bool(getattr(settings, "REST_AUTH", {}).get("USE_JWT"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    jwt = use_jwt()
    skip_jwt = pytest.mark.skip(reason="needs --ds=tests.settings_jwt")
    skip_token = pytest.mark.skip(reason="token-login test; run without --ds=tests.settings_jwt")
    for item in items:
        marked = "jwt" in item.keywords
        if marked and not jwt:
            item.add_marker(skip_jwt)
        elif jwt and not marked:
            item.add_marker(skip_token)


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Any) -> None:
    """Uploads go to a fresh folder; throttle history starts empty."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()


class APIClient(drf_test.APIClient):
    """Runs each request's ``on_commit`` callbacks (queued e-mails) when the request
    ends, as its commit would: the tests run in a transaction that never commits."""

    def request(self, **kwargs: Any) -> Any:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**kwargs)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


_emails = itertools.count(1)


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    """Create a user with a verified e-mail through ``services.create_user``."""

    def make(email: str | None = None, password: str = PASSWORD, **kwargs: Any) -> Any:
        email = email or f"user{next(_emails)}@example.com"
        return create_user(email=email, password=password, **kwargs)

    return make


@pytest.fixture
def user(make_user: Callable[..., Any]) -> Any:
    return make_user("alice@example.com")


@pytest.fixture
def other_user(make_user: Callable[..., Any]) -> Any:
    return make_user("bob@example.com")


@pytest.fixture
def user_client(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def user_has_field(name: str) -> bool:
    """The user model varies by run (stock User or tests.custom_user)."""
    return any(field.name == name for field in get_user_model()._meta.get_fields())


def admin_url(action: str, *args: Any) -> str:
    opts = get_user_model()._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)


def errors(response: Any) -> list[tuple[str | None, str]]:
    """``(attr, code)`` of each problem of an error answer, after checking it has the
    one shape every endpoint answers errors in."""
    body = response.json()
    assert set(body) >= {"type", "errors"}, body
    assert body["type"] in ("validation_error", "client_error", "server_error"), body
    assert all(set(error) == {"code", "detail", "attr"} for error in body["errors"]), body
    return [(error["attr"], error["code"]) for error in body["errors"]]


def codes(response: Any) -> set[str]:
    """The codes of an error answer's problems."""
    return {code for _attr, code in errors(response)}


def users_with_email(email: str) -> Any:
    """The users whose e-mail is ``email`` (any case), whatever the model names the field."""
    user_model = get_user_model()
    field = user_model.get_email_field_name()
    return user_model._default_manager.filter(**{f"{field}__iexact": email})


def email_of(user: Any) -> str:
    """The user's e-mail, whatever the model names its e-mail field."""
    return getattr(user, user.get_email_field_name())


def png_bytes(size: tuple[int, int] = (300, 200), color: str = "red") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()
