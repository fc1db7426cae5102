"""The site's own parts: start page, health, settings, schema, demo data."""

import os
import re
import subprocess
import sys
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection

from .helpers import DEMO_PASSWORD, PRODUCTION_ENV, SITE_DIR, child_env, run_site


def test_start_page_lists_installed_packages_and_demo_logins(client, db):
    response = client.get("/about/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/api/docs/#/accounts"' in body
    assert "customer@example.com" in body and DEMO_PASSWORD in body
    assert 'href="/api/docs/"' in body and 'href="/admin/"' in body


def test_every_link_of_the_start_page_answers(client, db):
    body = client.get("/about/").content.decode()
    links = set(re.findall(r'href="(/[^"#]*)', body))
    assert {"/", "/accounts/login/", "/catalogue/", "/cart/", "/api/docs/"} <= links
    assert {"/specialists/", "/desk/supplier/", "/desk/specialist/"} <= links
    for link in links:
        assert client.get(link).status_code in (200, 302), link  # 302: log in first


def test_start_page_hides_demo_logins_outside_demo_mode(client, db, settings):
    settings.DEMO_MODE = False
    body = client.get("/about/").content.decode()
    assert 'href="/api/docs/#/accounts"' in body
    assert "customer@example.com" not in body and DEMO_PASSWORD not in body
    assert "Demo logins" not in body


def test_health_ok(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_health_503_when_database_is_down(client, db):
    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    with mock.patch.object(connection, "cursor", broken_cursor):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


def test_health_503_when_the_cache_is_down(client, db):
    from django.core.cache import cache

    with mock.patch.object(cache, "set", side_effect=ConnectionError("cache unreachable")):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["cache"].startswith("error")
    assert response.json()["database"] == "ok"


@pytest.mark.parametrize(
    ("env", "ok"),
    [
        ({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}, False),
        ({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 50}, True),
        ({"DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY": ""}, True),
    ],
)
def test_secret_key_is_required_unless_debug(env, ok):
    result = subprocess.run(
        [sys.executable, "-c", "import example_site.settings as s; print(s.DEBUG)"],
        cwd=SITE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    assert (result.returncode == 0) is ok, result.stderr
    if not ok:
        assert "DJANGO_SECRET_KEY" in result.stderr


def test_every_package_is_mounted_under_api_v1(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    prefixes = {path.split("/")[3] for path in schema["paths"]}
    expected = {
        area
        for app, area in [
            ("shop_accounts", "accounts"),
            ("shop_catalog", "catalog"),
            ("shop_orders", "orders"),
            ("shop_cabinet", "cabinet"),
            ("shop_bookings", "bookings"),
        ]
        if apps.is_installed(app)
    }
    assert expected <= prefixes
    assert "accounts" in expected


def test_schema_validates_without_warnings(tmp_path, db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_api_docs_pages_work_offline(client, url, db):
    """Swagger UI and ReDoc come from the site's static files, never from a CDN."""
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn" not in page.lower() and "unpkg" not in page.lower()


def test_swagger_ui_opens_a_package_by_its_tag(client, db):
    """The start page links /api/docs/#/<tag>: Swagger UI follows it only with deepLinking."""
    page = client.get("/api/docs/").content.decode()
    assert '"deepLinking": true' in page


def test_operations_are_grouped_by_package(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    tags = {
        tag
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/")
        for operation in operations.values()
        for tag in operation.get("tags", [])
    }
    assert tags == {"accounts", "catalog", "orders", "cabinet", "bookings"}


def test_demo_data_refuses_to_run_outside_demo_mode(db, settings, django_user_model):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="i-know-this-is-not-production"):
        call_command("demo_data", stdout=open(os.devnull, "w"))
    assert django_user_model.objects.count() == 0
    # An explicit flag for a throwaway database.
    call_command("demo_data", "--i-know-this-is-not-production", stdout=open(os.devnull, "w"))
    assert django_user_model.objects.filter(email="admin@example.com", is_superuser=True).exists()


def test_demo_data_refuses_the_production_profile(tmp_path):
    env = child_env(PRODUCTION_ENV, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    result = run_site(["manage.py", "demo_data"], env)
    assert result.returncode != 0
    assert "Refusing to load demo data" in result.stderr
    assert "admin@example.com" in result.stderr  # says what it would have created
    # It stopped before touching the database (not even to find the tables missing).
    assert "no such table" not in result.stderr


def test_migrations_are_complete(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_runs_on_the_database_it_was_given(db):
    # Guards the PostgreSQL suite against silently testing SQLite.
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else None
    if expected:
        assert connection.vendor == expected
    else:
        assert connection.vendor == "sqlite"
