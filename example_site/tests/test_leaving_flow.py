"""A customer with an order, a booking ahead and an address leaves the shop:
every package erases its own part, accounting keeps the order, the
specialist's calendar loses the booking and nobody can log in as them."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import TestCase

from shop_bookings.models import Booking
from shop_cabinet.models import Address
from shop_orders.models import Order

from .helpers import PASSWORD, error_codes, logged_in, register_and_verify

pytestmark = pytest.mark.django_db


def place_order(client, api_client) -> dict:
    address = client.post(
        "/api/v1/cabinet/addresses/",
        {
            "kind": "shipping",
            "recipient": "Анна Белова",
            "phone": "+79031234567",
            "city": "Москва",
            "street": "ул. Арбат",
            "building": "10",
            "postal_code": "119002",
        },
        format="json",
    ).json()
    products = api_client.get("/api/v1/catalog/products/").json()["results"]
    offer = api_client.get(f"/api/v1/catalog/products/{products[0]['id']}/").json()["offers"][0]
    assert client.post("/api/v1/orders/cart/lines/", {"offer": offer["id"]}).status_code == 201
    response = client.post(
        "/api/v1/orders/checkout/", {"address_id": str(address["id"])}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def book(client, api_client) -> dict:
    specialist = api_client.get("/api/v1/bookings/specialists/").json()["results"][0]
    service = specialist["services"][0]
    day = date.today() + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    slots = api_client.get(
        f"/api/v1/bookings/specialists/{specialist['id']}/slots/",
        {"service": service["id"], "from": day.isoformat(), "to": day.isoformat()},
    ).json()["slots"]
    response = client.post(
        "/api/v1/bookings/bookings/",
        {"service": service["id"], "start": slots[0]["start"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_leaving_erases_every_package_part_and_keeps_the_order(api_client, demo):
    register_and_verify(api_client, "anna@example.com")
    anna = logged_in("anna@example.com")
    order = place_order(anna, api_client)
    booking = book(anna, api_client)

    offer = anna.get("/api/v1/accounts/user/delete/").json()
    assert offer["data_export_url"].endswith("/api/v1/cabinet/export/")

    wrong = anna.post("/api/v1/accounts/user/delete/", {"password": "nope"}, format="json")
    assert wrong.status_code == 400 and error_codes(wrong) == ["password_incorrect"]
    assert get_user_model().objects.filter(email="anna@example.com").exists()

    with TestCase.captureOnCommitCallbacks(execute=True):
        gone = anna.post("/api/v1/accounts/user/delete/", {"password": PASSWORD}, format="json")
    assert gone.status_code == 204, gone.content

    assert not get_user_model().objects.filter(email="anna@example.com").exists()
    kept = Order.objects.get(pk=order["id"])  # accounting keeps the order and its lines
    assert kept.user_id is None and kept.lines.count() == 1
    assert "Арбат" not in kept.street and kept.email == ""
    assert Booking.objects.get(pk=booking["id"]).status == "canceled"
    assert not Address.objects.filter(recipient="Анна Белова").exists()
    login = api_client.post(
        "/api/v1/accounts/login/",
        {"email": "anna@example.com", "password": PASSWORD},
        format="json",
    )
    assert login.status_code == 400
