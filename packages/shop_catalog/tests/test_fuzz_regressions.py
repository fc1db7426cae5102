"""Regressions found by fuzzing the API (schemathesis): no 500s, answers match the schema."""

import pytest

from shop_catalog.models import Category, ImportJob
from shop_core.testing import assert_matches_schema, openapi

from . import factories

pytestmark = pytest.mark.django_db

SUPPLIER = "/api/v1/catalog/supplier"


@pytest.fixture
def owner_api(api, supplier):
    api.force_authenticate(supplier.owner)
    return api


def test_patching_an_offer_onto_a_taken_external_id_is_400(owner_api, supplier):
    factories.offer(shop_obj=supplier, external_id="A1")
    other = factories.offer(shop_obj=supplier, external_id="B2")
    response = owner_api.patch(f"{SUPPLIER}/offers/{other.pk}/", {"external_id": "A1"})
    assert response.status_code == 400  # was an IntegrityError (500)
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("external_id", "taken")]
    other.refresh_from_db()
    assert other.external_id == "B2"
    # keeping its own id, or taking one used only by another shop, is fine
    factories.offer(external_id="C3")
    for value in ("B2", "C3"):
        response = owner_api.patch(f"{SUPPLIER}/offers/{other.pk}/", {"external_id": value})
        assert response.status_code == 200, response.content


def test_creating_a_duplicate_offer_is_still_400(owner_api, supplier):
    taken = factories.offer(shop_obj=supplier, external_id="A1")
    body = {"shop": supplier.pk, "product": taken.product_id, "external_id": "A1"}
    body |= {"price": "5.00", "quantity": 1}
    assert owner_api.post(f"{SUPPLIER}/offers/", body).status_code == 400


def test_unicode_slugs_match_the_schema(api):
    category = Category.objects.create(name="Flash-накопители", slug="flash-накопители")
    product = factories.product("Флешка", category_obj=category, slug="флешка-64gb")
    factories.offer(product_obj=product)
    document = openapi()
    base = "/api/v1/catalog"
    for path, url in [
        ("/api/v1/catalog/categories/", f"{base}/categories/"),
        ("/api/v1/catalog/categories/{id}/", f"{base}/categories/{category.pk}/"),
        ("/api/v1/catalog/products/", f"{base}/products/"),
        ("/api/v1/catalog/products/{id}/", f"{base}/products/{product.pk}/"),
    ]:
        response = api.get(url)
        assert response.status_code == 200
        assert "flash-накопители" in response.content.decode()  # the category or its brief
        assert_matches_schema(document, path, "get", 200, response.json())


def test_import_field_errors_match_the_schema(owner_api, supplier):
    response = owner_api.post(
        f"{SUPPLIER}/shops/{supplier.pk}/import/", {"missing": {}, "file": ""}, format="json"
    )
    assert response.status_code == 400
    assert "missing" in {e["attr"] for e in response.json()["errors"]}
    path = "/api/v1/catalog/supplier/shops/{id}/import/"
    assert_matches_schema(openapi(), path, "post", 400, response.json())


def test_import_jobs_of_uploads_match_the_schema(owner_api, supplier):
    ImportJob.objects.create(shop=supplier, format="yaml", source_url="")
    ImportJob.objects.create(shop=supplier, format="yaml", source_url="https://example.com/p.yaml")
    document = openapi()
    response = owner_api.get(f"{SUPPLIER}/imports/")
    assert response.status_code == 200
    assert {job["source_url"] for job in response.json()["results"]} == {
        "",
        "https://example.com/p.yaml",
    }
    assert_matches_schema(
        document, "/api/v1/catalog/supplier/imports/", "get", 200, response.json()
    )
    schema = document["components"]["schemas"]["ImportJob"]["properties"]["source_url"]
    assert {"type": "string", "format": "uri"} in schema["anyOf"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"shop": "1" + "0" * 30},
        {"category": "1" + "0" * 30},
        {"page": "0"},
        {"page": "abc"},
        {"page": "1" + "0" * 30},
    ],
)
def test_absurd_list_parameters_are_400_or_empty(query):
    from rest_framework.test import APIClient

    response = APIClient().get("/api/v1/catalog/products/", query)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["results"] == []


def test_import_row_errors_with_codes_match_the_schema(owner_api, supplier):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = factories.sample_bytes().replace(b"quantity: 14", b"quantity: -1")
    response = owner_api.post(
        f"{SUPPLIER}/shops/{supplier.pk}/import/",
        {"file": SimpleUploadedFile("list.yaml", content)},
    )
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("file", "negative")]
    path = "/api/v1/catalog/supplier/shops/{id}/import/"
    assert_matches_schema(openapi(), path, "post", 400, response.json())
