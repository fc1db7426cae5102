"""A mail server that is down never turns a successful request into a 500.

The default tasks backend runs tasks in the request (immediately, or on
commit): the site must answer as the request succeeded. Real transactions
(``transactional_db``), so on-commit work runs as it does in production.
"""

from datetime import date, timedelta

import pytest
from rest_framework.test import APIClient

from shop_bookings.models import Booking
from shop_catalog.models import Offer
from shop_orders.models import Order

from .helpers import PASSWORD
from .mail import RefusingEmailBackend

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "tests.mail.RefusingEmailBackend"
    RefusingEmailBackend.attempts = 0
    return RefusingEmailBackend


def client_of(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def test_registration_succeeds_while_mail_is_down(mail_server_down, django_user_model):
    client = APIClient(raise_request_exception=False)
    response = client.post(
        "/api/v1/accounts/registration/",
        {"email": "ann@example.com", "password1": PASSWORD, "password2": PASSWORD},
        format="json",
    )
    assert response.status_code == 201, response.content[:300]
    assert django_user_model.objects.filter(email="ann@example.com").exists()
    assert mail_server_down.attempts >= 1  # the verification e-mail was tried


def test_checkout_succeeds_while_mail_is_down(demo, mail_server_down):
    customer = client_of(demo["customer@example.com"])
    offer = Offer.objects.filter(quantity__gte=1).order_by("pk").first()
    response = customer.post(
        "/api/v1/orders/cart/lines/", {"offer": offer.pk, "quantity": 1}, format="json"
    )
    assert response.status_code == 201, response.content[:300]
    address = customer.get("/api/v1/cabinet/addresses/").json()["results"][0]
    orders_before = Order.objects.count()
    response = customer.post(
        "/api/v1/orders/checkout/",
        {"address_id": str(address["id"])},
        format="json",
        HTTP_IDEMPOTENCY_KEY="mail-down-1",
    )
    assert response.status_code == 201, response.content[:300]
    assert Order.objects.count() == orders_before + 1
    assert mail_server_down.attempts >= 1  # the order e-mail was tried


def test_booking_succeeds_while_mail_is_down(demo, mail_server_down):
    client = client_of(demo["customer@example.com"])
    specialist = client.get("/api/v1/bookings/specialists/", {"city": "Moscow"}).json()
    specialist = specialist["results"][0]
    service = specialist["services"][0]
    day = date.today() + timedelta(days=8)
    while day.weekday() >= 5:  # demo hours are Mon-Fri
        day += timedelta(days=1)
    slots = client.get(
        f"/api/v1/bookings/specialists/{specialist['id']}/slots/",
        {"service": service["id"], "from": day.isoformat(), "to": day.isoformat()},
    ).json()["slots"]
    bookings_before = Booking.objects.count()
    response = client.post(
        "/api/v1/bookings/bookings/",
        {"service": service["id"], "start": slots[-1]["start"]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="mail-down-1",
    )
    assert response.status_code == 201, response.content[:300]
    assert Booking.objects.count() == bookings_before + 1
    assert mail_server_down.attempts >= 1  # the booking e-mail was tried
