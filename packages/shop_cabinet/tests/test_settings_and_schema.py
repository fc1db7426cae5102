"""Settings dict, system checks, migrations and the OpenAPI schema."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import override_settings

from shop_cabinet import checks
from shop_cabinet.conf import app_settings
from shop_core.testing import openapi


def test_defaults_and_live_override(settings: Any) -> None:
    assert app_settings.DASHBOARD_CACHE_TIMEOUT is None
    settings.SHOP_CABINET = {"PAGE_SIZE": 7}
    assert app_settings.PAGE_SIZE == 7


def test_unknown_key_is_refused(settings: Any) -> None:
    settings.SHOP_CABINET = {"PAGE_SIZ": 7}
    with pytest.raises(ImproperlyConfigured, match="PAGE_SIZ"):
        _ = app_settings.PAGE_SIZE
    (error,) = checks.check_settings()
    assert error.id == "shop_cabinet.E001" and "PAGE_SIZ" in error.msg


@pytest.mark.parametrize("key", ["POSTAL_CODE_VALIDATOR", "CUSTOMER_KIND_RESOLVER"])
def test_bad_hook_path_is_reported(settings: Any, key: str) -> None:
    settings.SHOP_CABINET = {key: "nowhere.validate"}
    with pytest.raises(ImproperlyConfigured, match=key):
        getattr(app_settings, key)
    (error,) = checks.check_settings()
    assert error.id == "shop_cabinet.E001" and key in error.msg and "nowhere" in error.msg


def test_export_provider_that_does_not_import_is_a_check_error(settings: Any) -> None:
    settings.SHOP_CABINET = {"EXPORT_PROVIDERS": {"loyalty": "tests.nowhere.section"}}
    (error,) = checks.check_settings()
    assert error.id == "shop_cabinet.E002" and "loyalty" in error.msg
    settings.SHOP_CABINET = {"EXPORT_PROVIDERS": {"loyalty": "tests.exports.loyalty"}}
    assert checks.check_settings() == []


def test_settings_that_are_not_a_dict_are_a_check_error(settings: Any) -> None:
    settings.SHOP_CABINET = ["PAGE_SIZE", 7]
    assert [m.id for m in checks.check_settings()] == ["shop_cabinet.E001"]


@pytest.mark.django_db  # Django 6.1's model checks ask SQLite whether it supports JSONField
def test_the_check_is_registered() -> None:
    from django.core.checks import run_checks

    with override_settings(SHOP_CABINET={"PAGE_SIZ": 7}):
        assert "shop_cabinet.E001" in {m.id for m in run_checks()}


def test_an_address_field_the_book_lacks_is_a_check_error(monkeypatch: Any) -> None:
    from shop_cabinet.models import Address

    monkeypatch.setattr(Address, "EDITABLE_FIELDS", (*Address.EDITABLE_FIELDS, "country"))
    (error,) = checks.check_settings()
    assert error.id == "shop_cabinet.E003" and "country" in error.msg


def test_check_hints_at_the_address_resolver(settings: Any) -> None:
    assert checks.check_settings() == []
    settings.SHOP_ORDERS = {}
    assert [m.id for m in checks.check_settings()] == ["shop_cabinet.I001"]


@pytest.mark.django_db
def test_no_missing_migrations() -> None:
    call_command("makemigrations", "shop_cabinet", "--check", "--dry-run", stdout=StringIO())


def test_schema_has_no_warnings(tmp_path: Any) -> None:
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/dashboard/",
        "/addresses/{id}/set-default/",
        "/favourites/",
        "/orders/",
        "/export/",
    ):
        assert f"/api/v1/cabinet{path}" in text


def error_codes(schema: dict[str, Any], path: str, method: str) -> dict[str, set[str]]:
    """``{attr: codes}`` the schema documents for the 400 of ``method path``."""
    components = schema["components"]["schemas"]

    def resolve(node: Any) -> Any:
        return components[node["$ref"].split("/")[-1]] if "$ref" in node else node

    answer = schema["paths"][path][method]["responses"]["400"]["content"]["application/json"]
    found: dict[str, set[str]] = {}
    for kind in resolve(answer["schema"])["oneOf"]:
        errors = resolve(resolve(kind)["properties"]["errors"]["items"])
        for error in errors.get("oneOf", [errors]):
            error = resolve(error)
            attr = error["properties"]["attr"].get("enum", [None])[0]
            found.setdefault(attr, set()).update(resolve(error["properties"]["code"])["enum"])
    return found


def test_schema_documents_the_error_codes() -> None:
    """The cabinet's own codes, and those it answers from shop_core, are in the schema."""
    schema = openapi()
    api = "/api/v1/cabinet"
    for method in ("post", "put", "patch"):
        path = f"{api}/addresses/" if method == "post" else f"{api}/addresses/{{id}}/"
        codes = error_codes(schema, path, method)
        assert "invalid_phone" in codes["phone"] and "invalid_postal_code" in codes["postal_code"]
        assert ("default_required" in codes["is_default"]) is (method != "post")
    for path in ("addresses/", "favourites/", "orders/"):
        assert "invalid_page" in error_codes(schema, f"{api}/{path}", "get")["page"]
    history = error_codes(schema, f"{api}/orders/", "get")
    assert {"out_of_range", "non_ascii_digits"} <= history["created"]
    favourite = error_codes(schema, f"{api}/favourites/", "post")["product_id"]
    assert {"does_not_exist", "incorrect_type"} <= favourite


def test_schema_beside_shop_orders_has_no_component_clashes(tmp_path: Any) -> None:
    """Mounted with shop_orders (as every site does), the two packages share the
    order components and name their address serializers apart."""
    out = tmp_path / "schema.json"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--urlconf",
        "tests.urls_with_orders",
        "--format",
        "openapi-json",
        "--file",
        str(out),
    )
    schema = json.loads(out.read_text())
    components = schema["components"]["schemas"]
    assert {"DeliveryAddress", "AddressBookEntry", "OrderDetail", "OrderSummary"} <= set(components)
    assert "Address" not in components
    detail = schema["paths"]["/api/v1/cabinet/orders/{id}/"]["get"]["responses"]["200"]
    ours = detail["content"]["application/json"]["schema"]["$ref"]
    checkout = schema["paths"]["/api/v1/orders/checkout/"]["post"]["responses"]["201"]
    assert ours == checkout["content"]["application/json"]["schema"]["$ref"]
