"""Regressions found by fuzzing the API (schemathesis): answers match the schema."""

from __future__ import annotations

import pytest

from shop_catalog.models import Category
from shop_core.testing import assert_matches_schema, openapi

from . import factories

pytestmark = pytest.mark.django_db

URL = "/api/v1/cabinet/favourites/"


def test_favourites_with_unicode_slugs_match_the_schema(api):
    category = Category.objects.create(name="Смартфоны", slug="смартфоны")
    product = factories.product("Смартфон", category=category, slug="смартфон-золотистый")
    document = openapi()
    response = api.post(URL, {"product_id": product.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["product"]["slug"] == "смартфон-золотистый"
    assert_matches_schema(document, URL, "post", 201, response.json())
    response = api.get(URL)
    assert response.status_code == 200
    assert_matches_schema(document, URL, "get", 200, response.json())
