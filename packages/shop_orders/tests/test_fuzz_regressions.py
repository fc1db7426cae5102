"""Regressions found by fuzzing the API (schemathesis): error answers match the schema."""

from __future__ import annotations

import pytest

from shop_core.testing import assert_matches_schema, openapi
from shop_orders import services

from . import factories
from .conftest import errors_of
from .factories import ADDRESS

pytestmark = pytest.mark.django_db


def test_field_errors_match_the_documented_400(api, customer, offer):
    line = services.add_line(user=customer, offer_id=offer.pk, quantity=1)
    document = openapi()
    response = api.patch(f"/api/v1/orders/cart/lines/{line.pk}/", {"quantity": "{}"})
    assert response.status_code == 400
    assert errors_of(response) == [("quantity", "invalid")]
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
    assert errors_of(response) == [("quantity", "quantity_too_large")]
    assert_matches_schema(openapi(), "/api/v1/orders/cart/lines/", "post", 400, response.json())


def test_the_409_of_a_checkout_requires_errors_and_lines():
    schema = openapi()["components"]["schemas"]["CheckoutConflictResponse"]
    assert {"type", "errors", "lines"} <= set(schema["required"])


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


def test_state_errors_and_missing_objects_match_the_schema(api, supplier_api, customer, offer):
    document = openapi()
    order = factories.place_order(customer, [(offer, 1)])
    assert api.post(f"/api/v1/orders/orders/{order.pk}/cancel/").status_code == 200
    again = api.post(f"/api/v1/orders/orders/{order.pk}/cancel/")
    assert errors_of(again) == [("non_field_errors", "already_canceled")]
    path = "/api/v1/orders/orders/{id}/cancel/"
    assert_matches_schema(document, path, "post", 400, again.json())
    missing = api.get("/api/v1/orders/orders/999999/")
    assert missing.status_code == 404
    assert_matches_schema(document, "/api/v1/orders/orders/{id}/", "get", 404, missing.json())
    part = order.parts.get()
    moved = supplier_api.post(
        f"/api/v1/orders/supplier/orders/{part.pk}/status/", {"status": "sent"}, format="json"
    )
    assert errors_of(moved) == [("status", "invalid_transition")]
    path = "/api/v1/orders/supplier/orders/{id}/status/"
    assert_matches_schema(document, path, "post", 400, moved.json())


@pytest.mark.parametrize(
    "params", [{"page": "9"}, {"created_after": "0001-01-01"}, {"created_before": "٢٠٢٥-٠١-٠١"}]
)
def test_list_parameter_errors_match_the_schema(api, supplier_api, params):
    document = openapi()
    for client, path in [
        (api, "/api/v1/orders/orders/"),
        (supplier_api, "/api/v1/orders/supplier/orders/"),
    ]:
        response = client.get(path, params)
        assert response.status_code == 400
        assert_matches_schema(document, path, "get", 400, response.json())


@pytest.mark.parametrize("quantity", ["٣", 0, 10**6])
def test_cart_codes_match_the_schema(api, customer, offer, quantity):
    document = openapi()
    response = api.post(
        "/api/v1/orders/cart/lines/", {"offer": offer.pk, "quantity": quantity}, format="json"
    )
    assert response.status_code == 400
    assert_matches_schema(document, "/api/v1/orders/cart/lines/", "post", 400, response.json())
    offer.is_active = False
    offer.save()
    response = api.post("/api/v1/orders/cart/lines/", {"offer": offer.pk}, format="json")
    assert errors_of(response) == [("offer", "inactive")]
    assert_matches_schema(document, "/api/v1/orders/cart/lines/", "post", 400, response.json())
