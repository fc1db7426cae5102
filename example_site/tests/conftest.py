import shutil
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework.test import APIClient

from .helpers import BASE_ENV, child_env, run_site


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttle counters live in the cache: every test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploads and the demo's pictures never land in the source tree.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def demo(db):
    """The demo's lean variant (one shop, no pictures, fewer orders: see demo.seed)."""
    from demo.seed import load_demo

    load_demo(lean=True)
    user_model = get_user_model()
    return {user.email: user for user in user_model.objects.all()}


@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory) -> Path:
    """A migrated SQLite file, made once, for the site run in other processes."""
    path = tmp_path_factory.mktemp("site-db") / "template.sqlite3"
    result = run_site(
        ["manage.py", "migrate", "--noinput", "-v0"],
        child_env(BASE_ENV, DATABASE_URL=f"sqlite:///{path}"),
    )
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def site_database_url(_migrated_sqlite, tmp_path) -> str:
    """DATABASE_URL of a fresh copy of the migrated SQLite file."""
    copy = tmp_path / "site.sqlite3"
    shutil.copyfile(_migrated_sqlite, copy)
    return f"sqlite:///{copy}"
