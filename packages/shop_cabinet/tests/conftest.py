"""Fixtures of the shop_cabinet tests.

Tests marked ``with_apps("shop_bookings")`` run only when those apps are
installed (``pytest --ds=tests.settings_integrations``); tests marked
``without_apps(...)`` only when they are not (the default ``pytest`` run).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from rest_framework.test import APIClient

from . import factories


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for marker in item.iter_markers("with_apps"):
            missing = [label for label in marker.args if not apps.is_installed(label)]
            if missing:
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"needs {', '.join(missing)}: --ds=tests.settings_integrations"
                    )
                )
        for marker in item.iter_markers("without_apps"):
            present = [label for label in marker.args if apps.is_installed(label)]
            if present:
                item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(present)} absent"))


@pytest.fixture(autouse=True)
def _isolated(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()


@pytest.fixture
def user(db: Any) -> Any:
    return factories.user("alice")


@pytest.fixture
def other_user(db: Any) -> Any:
    return factories.user("bob")


@pytest.fixture
def client_of() -> Any:
    def make(user: Any) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def api(user: Any, client_of: Any) -> APIClient:
    return client_of(user)


@pytest.fixture
def other_api(other_user: Any, client_of: Any) -> APIClient:
    return client_of(other_user)
