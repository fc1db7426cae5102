"""The whole shop story through HTTP: register, verify, log in, browse, add
to the cart, check out with an address from the address book, the supplier
confirms, the customer sees the new state in the cabinet and the dashboard."""

import pytest

from shop_catalog.models import Offer

from .helpers import DEMO_PASSWORD, logged_in, register_and_verify

pytestmark = pytest.mark.django_db


def test_register_browse_buy_confirm_and_see_it_in_the_cabinet(api_client, demo):
    register_and_verify(api_client, "olga@example.com")
    olga = logged_in("olga@example.com")

    # Browse: the demo supplier's real price list, filtered by category.
    categories = api_client.get("/api/v1/catalog/categories/").json()
    phones = next(c for c in categories["results"] if c["name"] == "Смартфоны")
    products = api_client.get("/api/v1/catalog/products/", {"category": phones["id"]}).json()
    assert products["count"] >= 3
    product = api_client.get(f"/api/v1/catalog/products/{products['results'][0]['id']}/").json()
    offer = product["offers"][0]
    stock_before = Offer.objects.get(pk=offer["id"]).quantity

    # The address book feeds the checkout.
    address = olga.post(
        "/api/v1/cabinet/addresses/",
        {
            "kind": "shipping",
            "recipient": "Ольга Ким",
            "phone": "+79031234567",
            "city": "Москва",
            "street": "ул. Арбат",
            "building": "10",
            "postal_code": "119002",
        },
        format="json",
    )
    assert address.status_code == 201, address.content
    assert address.json()["is_default"] is True  # the first of its kind

    response = olga.post("/api/v1/orders/cart/lines/", {"offer": offer["id"], "quantity": 2})
    assert response.status_code == 201, response.content
    response = olga.post(
        "/api/v1/orders/checkout/",
        {"address_id": str(address.json()["id"])},
        format="json",
        HTTP_IDEMPOTENCY_KEY="olga-1",
    )
    assert response.status_code == 201, response.content
    order = response.json()
    assert order["status"] == "new"
    assert Offer.objects.get(pk=offer["id"]).quantity == stock_before - 2
    # A retry of the same request (a flaky mobile network) gives the same order.
    retry = olga.post(
        "/api/v1/orders/checkout/",
        {"address_id": str(address.json()["id"])},
        format="json",
        HTTP_IDEMPOTENCY_KEY="olga-1",
    )
    assert retry.status_code == 200 and retry.json()["id"] == order["id"]

    # The supplier sees its part and confirms it.
    supplier = logged_in("supplier@example.com", DEMO_PASSWORD)
    parts = supplier.get("/api/v1/orders/supplier/orders/").json()["results"]
    part = next(p for p in parts if p["order"]["number"] == order["number"])
    moved = supplier.post(
        f"/api/v1/orders/supplier/orders/{part['id']}/status/",
        {"status": "confirmed"},
        format="json",
    )
    assert moved.status_code == 200, moved.content

    # The customer sees the new state in the cabinet, with the address kept.
    history = olga.get("/api/v1/cabinet/orders/").json()["results"]
    assert [(o["number"], o["status"]) for o in history] == [(order["number"], "confirmed")]
    detail = olga.get(f"/api/v1/cabinet/orders/{order['id']}/").json()
    assert "Арбат" in str(detail)
    dashboard = olga.get("/api/v1/cabinet/dashboard/").json()
    assert dashboard["orders"]["count"] == 1
    assert dashboard["orders"]["by_status"]["confirmed"] == 1
    assert dashboard["addresses_count"] == 1

    # Nobody else reaches the order.
    other = logged_in("customer@example.com", DEMO_PASSWORD)
    assert other.get(f"/api/v1/orders/orders/{order['id']}/").status_code == 404
    assert other.get(f"/api/v1/cabinet/orders/{order['id']}/").status_code == 404


def test_verified_b2b_customer_sees_the_financial_block(demo):
    b2b = logged_in("b2b@example.com", DEMO_PASSWORD)
    dashboard = b2b.get("/api/v1/cabinet/dashboard/").json()
    assert dashboard["customer"] == {"kind": "b2b", "verified": True}
    assert len(dashboard["finance"]["spent_per_month"]) == 12
    assert dashboard["orders"]["count"] == 12
    customer = logged_in("customer@example.com", DEMO_PASSWORD)
    assert customer.get("/api/v1/cabinet/dashboard/").json()["finance"] is None
