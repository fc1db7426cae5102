"""Regressions found by fuzzing the API (schemathesis): 400 answers match the schema."""

from __future__ import annotations

import pytest

from shop_orders import services

from .factories import ADDRESS
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


def test_the_cart_answer_matches_the_schema_with_amounts_as_strings(api, customer, offer):
    services.add_line(user=customer, offer_id=offer.pk, quantity=2)
    document = openapi()
    line = document["components"]["schemas"]["CartLine"]["properties"]["total"]
    assert (line["type"], line["format"]) == ("string", "decimal")
    assert_matches_schema(
        document, "/api/v1/orders/cart/", "get", 200, api.get("/api/v1/orders/cart/").json()
    )


def test_the_checkout_conflicts_and_reuse_match_the_schema(api, customer, offer):
    document = openapi()
    empty = api.post("/api/v1/orders/checkout/", {"address": ADDRESS}, format="json")
    assert empty.status_code == 409
    assert_matches_schema(document, "/api/v1/orders/checkout/", "post", 409, empty.json())
    services.add_line(user=customer, offer_id=offer.pk)
    api.post(
        "/api/v1/orders/checkout/", {"address": ADDRESS}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    reused = api.post(
        "/api/v1/orders/checkout/",
        {"address": ADDRESS, "comment": "other"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert reused.status_code == 422
    assert_matches_schema(document, "/api/v1/orders/checkout/", "post", 422, reused.json())
