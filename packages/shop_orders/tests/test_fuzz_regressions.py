"""Regressions found by fuzzing the API (schemathesis): 400 answers match the schema."""

from __future__ import annotations

import pytest

from shop_orders import services

from .schema_check import assert_matches_schema, openapi

pytestmark = pytest.mark.django_db


def test_field_errors_match_the_documented_400(api, customer, offer):
    line = services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    document = openapi()
    response = api.patch(f"/api/v1/orders/cart/lines/{line.pk}/", {"quantity": "{}"})
    assert response.status_code == 400
    assert "quantity" in response.json() and "code" not in response.json()
    assert_matches_schema(
        document, "/api/v1/orders/cart/lines/{id}/", "patch", 400, response.json()
    )
    response = api.post("/api/v1/orders/cart/lines/", {"offer": offer.pk, "quantity": "x"})
    assert response.status_code == 400
    assert_matches_schema(document, "/api/v1/orders/cart/lines/", "post", 400, response.json())
    response = api.post("/api/v1/orders/checkout/", {}, format="json")
    assert response.status_code == 400
    assert_matches_schema(document, "/api/v1/orders/checkout/", "post", 400, response.json())


def test_a_service_error_on_a_field_matches_the_documented_400(api, offer):
    response = api.post(
        "/api/v1/orders/cart/lines/", {"offer": offer.pk, "quantity": 10**6}, format="json"
    )
    assert response.status_code == 400
    assert "code" in response.json()
    assert_matches_schema(openapi(), "/api/v1/orders/cart/lines/", "post", 400, response.json())


def test_the_409_of_a_checkout_still_requires_detail_and_code():
    schema = openapi()["components"]["schemas"]["Unavailable"]
    assert {"detail", "code", "lines"} <= set(schema["required"])
