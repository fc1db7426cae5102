"""The OpenAPI schema builds without warnings; migrations match the models."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command


def build_schema(tmp_path: Path) -> dict[str, Any]:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return yaml.safe_load(target.read_text())


def response_ref(schema: dict[str, Any], path: str, status: str = "200") -> str:
    response = schema["paths"][path]["post"]["responses"][status]
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]


@pytest.mark.django_db
def test_schema_builds_without_warnings(tmp_path):
    schema = build_schema(tmp_path)

    for path in (
        "/api/v1/accounts/registration/",
        "/api/v1/accounts/user/",
        "/api/v1/accounts/user/avatar/",
        "/api/v1/accounts/companies/{user_id}/verify/",
    ):
        assert path in schema["paths"], path
    assert response_ref(schema, "/api/v1/accounts/login/") == "Token"
    assert response_ref(schema, "/api/v1/accounts/google/") == "Token"
    assert response_ref(schema, "/api/v1/accounts/registration/", "201") == "AccountsDetail"
    assert "/api/v1/accounts/token/refresh/" not in schema["paths"]


@pytest.mark.jwt
@pytest.mark.django_db
def test_jwt_schema_builds_without_warnings(tmp_path):
    schema = build_schema(tmp_path)

    assert response_ref(schema, "/api/v1/accounts/login/") == "JWT"
    assert "/api/v1/accounts/token/refresh/" in schema["paths"]


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "shop_accounts", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
