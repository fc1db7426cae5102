import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from rest_framework import serializers

from shop_catalog.checks import check_settings
from shop_catalog.conf import app_settings
from shop_catalog.models import Product
from shop_catalog.selectors import offers_by_ids, shops_of

from . import factories


def test_unknown_key_raises(settings):
    settings.SHOP_CATALOG = {"PAGE_SIZ": 5}
    with pytest.raises(ImproperlyConfigured, match="PAGE_SIZ"):
        _ = app_settings.PAGE_SIZE
    errors = check_settings()
    assert [e.id for e in errors] == ["shop_catalog.E001"]
    assert "PAGE_SIZ" in errors[0].msg


def test_hook_that_does_not_import_is_a_check_error(settings):
    settings.SHOP_CATALOG = {"URL_FETCHER": "tests.hooks.no_such_fetcher"}
    errors = check_settings()
    assert [e.id for e in errors] == ["shop_catalog.E001"]
    assert "URL_FETCHER" in errors[0].msg and "no_such_fetcher" in errors[0].msg


def test_settings_that_are_not_a_dict_are_a_check_error(settings):
    settings.SHOP_CATALOG = ["PAGE_SIZE"]
    assert [e.id for e in check_settings()] == ["shop_catalog.E001"]


def test_bad_values_are_system_check_errors(settings):
    settings.SHOP_CATALOG = {"IMPORT_MISSING": "delete", "PRICE_LIST_FORMATS": ["yaml", "xml"]}
    assert sorted(e.id for e in check_settings()) == ["shop_catalog.E002", "shop_catalog.E003"]
    settings.SHOP_CATALOG = {}
    assert check_settings() == []


def test_settings_are_read_live(settings):
    assert app_settings.PAGE_SIZE == 20
    settings.SHOP_CATALOG = {"PAGE_SIZE": 7}
    assert app_settings.PAGE_SIZE == 7


class NameOnlySerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name"]


@pytest.mark.django_db
def test_product_serializer_hook_can_be_swapped(api, settings):
    factories.offer()
    settings.SHOP_CATALOG = {
        "PRODUCT_SERIALIZER": "tests.test_settings_and_schema.NameOnlySerializer"
    }
    item = api.get("/api/v1/catalog/products/").json()["results"][0]
    assert set(item) == {"id", "name"}


@pytest.mark.django_db
def test_no_missing_migrations():
    call_command("makemigrations", "shop_catalog", "--check", "--dry-run", stdout=io.StringIO())


def test_schema_has_no_warnings(tmp_path):
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yaml"),
    )
    schema = (tmp_path / "schema.yaml").read_text()
    assert "/api/v1/catalog/supplier/shops/{id}/import/" in schema


def error_codes(document: dict, path: str, method: str) -> dict[str, set[str]]:
    """attr -> codes of the 400 validation errors the schema documents for one operation."""
    components = document["components"]["schemas"]

    def resolve(node: dict) -> dict:
        return components[node["$ref"].rsplit("/", 1)[1]] if "$ref" in node else node

    answer = resolve(
        document["paths"][path][method]["responses"]["400"]["content"]["application/json"]["schema"]
    )
    validation = next(resolve(s) for s in answer["oneOf"] if "ValidationError" in s.get("$ref", ""))
    codes: dict[str, set[str]] = {}
    for item in resolve(validation["properties"]["errors"]["items"])["oneOf"]:
        properties = resolve(item)["properties"]
        enums = [resolve(properties[key]).get("enum") for key in ("attr", "code")]
        attr = (enums[0] or [None])[0]
        codes.setdefault(attr, set()).update(enums[1] or [])
    return codes


def test_the_schema_lists_the_codes_of_this_package():
    from shop_catalog.exceptions import PRICELIST_CODES
    from shop_catalog.values import MONEY_CODES, QUANTITY_CODES
    from shop_core.testing import openapi

    document = openapi()
    base = "/api/v1/catalog"
    imports = error_codes(document, f"{base}/supplier/shops/{{id}}/import/", "post")
    assert set(PRICELIST_CODES) <= imports["file"]
    assert {"url_refused"} <= imports["url"]
    assert {"unknown_format"} <= imports["format"]
    assert {"file_or_url"} <= imports["non_field_errors"]
    for method in ("post", "put", "patch"):
        path = f"{base}/supplier/offers/" + ("" if method == "post" else "{id}/")
        offers = error_codes(document, path, method)
        assert "taken" in offers["external_id"]
        assert set(MONEY_CODES) <= offers["price"] and set(MONEY_CODES) <= offers["price_rrc"]
        assert set(QUANTITY_CODES) <= offers["quantity"]
        assert {"incorrect_type", "does_not_exist"} <= offers["product"]
    products = error_codes(document, f"{base}/products/", "get")
    assert "invalid_page" in products["page"]
    assert "parameter" in products["parameter"]
    for path in ("categories/", "shops/", "supplier/offers/", "supplier/imports/"):
        assert "invalid_page" in error_codes(document, f"{base}/{path}", "get")["page"]


@pytest.mark.django_db
def test_offers_by_ids_selects_shop_and_product(django_assert_num_queries):
    offers = [factories.offer() for _ in range(3)]
    with django_assert_num_queries(1):
        found = offers_by_ids([o.pk for o in offers] + [999999])
        assert sorted(found) == sorted(o.pk for o in offers)
        assert all(o.shop.name and o.product.name for o in found.values())


@pytest.mark.django_db
def test_shops_of_owner_and_staff():
    owner, clerk, stranger = factories.user(), factories.user(), factories.user()
    shop = factories.shop(owner=owner)
    shop.staff.add(clerk)
    factories.shop()
    assert list(shops_of(owner)) == [shop]
    assert list(shops_of(clerk)) == [shop]
    assert list(shops_of(stranger)) == []


@pytest.mark.django_db
def test_russian_translation_of_row_errors(supplier):
    from django.utils import translation

    from shop_catalog.pricelist import PriceListError
    from shop_catalog.services import import_pricelist

    good = {"id": 1, "category": "C", "name": "N" * 300, "price": "x", "quantity": 2**31}
    with translation.override("ru"), pytest.raises(PriceListError) as exc:
        import_pricelist(data={"goods": [good]}, shop=supplier)
    assert [e["message"] for e in exc.value.errors] == [
        "Не более 255 символов.",
        "Введите число.",
        "Не больше 2147483647.",
    ]


@pytest.mark.django_db
def test_category_subtree_ids_by_id_or_slug():
    from shop_catalog.selectors import category_subtree_ids

    root = factories.category()
    child = factories.category(parent=root)
    factories.category(parent=child)
    factories.category()
    assert len(list(category_subtree_ids(root.pk))) == 3
    assert len(list(category_subtree_ids(child.slug))) == 2
    assert list(category_subtree_ids("missing")) == []
