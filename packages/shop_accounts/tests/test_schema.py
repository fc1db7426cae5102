"""The OpenAPI schema builds without warnings; migrations match the models."""

from __future__ import annotations

from io import StringIO

import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_builds_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    schema = yaml.safe_load(target.read_text())
    paths = schema["paths"]
    for path in (
        "/api/v1/accounts/login/",
        "/api/v1/accounts/registration/",
        "/api/v1/accounts/user/",
        "/api/v1/accounts/user/avatar/",
        "/api/v1/accounts/google/",
        "/api/v1/accounts/companies/{user_id}/verify/",
    ):
        assert path in paths, path


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "shop_accounts", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
