"""The OpenAPI schema builds without warnings; migrations match the models."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command


def build_schema(tmp_path: Path) -> dict[str, Any]:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return yaml.safe_load(target.read_text())


# Every code the package's own code answers, as the README's "Errors" table lists them.
SERVICE_CODES = {
    "taken",
    "password_incorrect",
    "invalid_key",
    "expired_key",
    "credentials_required",
    "invalid_credentials",
    "inactive",
    "email_not_verified",
    "not_logged_in",
    "invalid_uid",
    "invalid_token",
    "password_mismatch",
    "password_too_short",
    "password_too_common",
    "password_entirely_numeric",
    "password_too_similar",
    "token_required",
    "provider_refused",
    "provider_unavailable",
    "code_flow_not_configured",
    "invalid_phone",
    "inn_length",
    "inn_checksum",
    "required",
    "image_too_large",
    "image_pixels",
    "image_format",
    "image_invalid",
    "not_business",
    "company_incomplete",
    "invalid_page",
    "account_in_use",
}
JWT_CODES = {"refresh_token_missing", "token_not_valid"}
# Two-factor login's, with allauth.mfa installed (not in the custom-user run).
MFA_CODES = {
    "invalid_code",
    "mfa_active",
    "mfa_not_active",
    "invalid_ticket",
    "expired_ticket",
    "throttled",
    "no_passkey",
}
MFA = apps.is_installed("allauth.mfa")
# Every operation keeps its success answer beside the error answers it documents.
PATHS_WITH_ERRORS = [
    ("/api/v1/accounts/login/", "post"),
    ("/api/v1/accounts/logout/", "post"),
    ("/api/v1/accounts/registration/", "post"),
    ("/api/v1/accounts/password/change/", "post"),
    ("/api/v1/accounts/password/reset/confirm/", "post"),
    ("/api/v1/accounts/google/", "post"),
    ("/api/v1/accounts/user/", "patch"),
    ("/api/v1/accounts/user/avatar/", "put"),
    ("/api/v1/accounts/companies/", "get"),
    ("/api/v1/accounts/companies/{user_id}/verify/", "post"),
]


def codes_in(schema: dict[str, Any]) -> set[str]:
    """Every enum value of every error component of the schema."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("enum"), list):
                found.update(value for value in node["enum"] if isinstance(value, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema["components"]["schemas"])
    return found


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
    assert response_ref(schema, "/api/v1/accounts/registration/", "201") == "SignedUp"
    assert "/api/v1/accounts/token/refresh/" not in schema["paths"]
    assert SERVICE_CODES <= codes_in(schema), SERVICE_CODES - codes_in(schema)
    if MFA:
        assert MFA_CODES <= codes_in(schema), MFA_CODES - codes_in(schema)
        login = schema["paths"]["/api/v1/accounts/login/"]["post"]["responses"]
        assert {"200", "202"} <= set(login)
        assert response_ref(schema, "/api/v1/accounts/login/mfa/") == "Token"
        for path in ("login/mfa/passkey/", "login/passkey/"):
            assert response_ref(schema, f"/api/v1/accounts/{path}") == "Token", path
        google = schema["paths"]["/api/v1/accounts/google/"]["post"]["responses"]
        assert {"200", "202", "503"} <= set(google)
    else:
        assert "/api/v1/accounts/login/mfa/" not in schema["paths"]
        assert "/api/v1/accounts/mfa/" not in schema["paths"]
        assert not [p for p in schema["paths"] if "passkey" in p]
    for path in ("sessions/", "sessions/{id}/", "registration/verify-email/code/"):
        assert f"/api/v1/accounts/{path}" in schema["paths"], path
    deletion = schema["paths"]["/api/v1/accounts/user/delete/"]["post"]["responses"]
    assert "409" in deletion
    verify = schema["paths"]["/api/v1/accounts/registration/verify-email/"]["post"]
    assert {"200", "400", "404", "410"} <= set(verify["responses"])
    for path, method in PATHS_WITH_ERRORS:
        responses = schema["paths"][path][method]["responses"]
        assert any(status.startswith("2") for status in responses), (path, method)


@pytest.mark.jwt
@pytest.mark.django_db
def test_jwt_schema_builds_without_warnings(tmp_path):
    schema = build_schema(tmp_path)

    assert response_ref(schema, "/api/v1/accounts/login/") == "JWT"
    assert response_ref(schema, "/api/v1/accounts/login/mfa/") == "JWT"
    assert response_ref(schema, "/api/v1/accounts/login/passkey/") == "JWT"
    assert "/api/v1/accounts/token/refresh/" in schema["paths"]
    assert SERVICE_CODES | JWT_CODES <= codes_in(schema), JWT_CODES - codes_in(schema)
    for path in ("token/refresh/", "token/verify/", "logout/"):
        responses = schema["paths"][f"/api/v1/accounts/{path}"]["post"]["responses"]
        assert {"200", "401"} <= set(responses), path


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "shop_accounts", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db
def test_no_registration_roles_means_no_role_field(tmp_path, settings):
    """The default (no role to choose) once gave ``RoleEnum: enum: []``, invalid OpenAPI."""
    settings.SHOP_ACCOUNTS = {"REGISTRATION_ROLES": []}
    schema = build_schema(tmp_path)
    components = schema["components"]["schemas"].values()
    registers = [c for c in components if "password1" in c.get("properties", {})]
    assert registers
    assert all("role" not in register["properties"] for register in registers)
    assert all(component.get("enum") != [] for component in components)
