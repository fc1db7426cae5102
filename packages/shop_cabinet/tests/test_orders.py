"""Order history through shop_orders' selectors; checkout with an address_id."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from shop_orders.exceptions import CheckoutError
from shop_orders.models import Order, Status, StatusChange
from shop_orders.services import resolve_address as orders_resolve_address

from . import factories
from .errors import attrs

URL = "/api/v1/cabinet/orders/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def offers() -> list[Any]:
    shop = factories.shop()
    return [factories.offer(shop_obj=shop, price=p) for p in ("100.00", "250.00", "50.50")]


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.data
    return [o["id"] for o in response.data["results"]]


def test_list_and_detail(api: Any, user: Any, offers: list[Any]) -> None:
    older = factories.order(user, offers=offers[:1], created=timezone.now() - timedelta(days=1))
    newer = factories.order(user, offers=offers, quantity=2)
    response = api.get(URL)
    assert ids(response) == [newer.pk, older.pk]
    first = response.data["results"][0]
    assert first["items_count"] == 6 and first["total"] == "801.00"
    assert {line["product_name"] for line in first["lines"]} == {o.product.name for o in offers}

    StatusChange.objects.create(
        order=newer, part=newer.parts.get(), from_status="", to_status=Status.NEW, by=user
    )
    detail = api.get(f"{URL}{newer.pk}/")
    assert detail.status_code == 200
    assert detail.data["address"]["building"] == "1"
    assert len(detail.data["parts"]) == 1 and len(detail.data["parts"][0]["lines"]) == 3
    # The detail is shop_orders' own order shape: the same body as its endpoint.
    assert detail.data["can_cancel"] is True
    assert [(h["to_status"], h["by_customer"]) for h in detail.data["history"]] == [("new", True)]


def test_filters(api: Any, user: Any, offers: list[Any]) -> None:
    now = timezone.now()
    old = factories.order(user, offers=offers[:1], created=now - timedelta(days=30))
    sent = factories.order(user, offers=offers[1:2], status=Status.SENT)
    cheap = factories.order(user, offers=offers[2:], status=Status.CANCELED)
    assert ids(api.get(URL, {"status": "sent"})) == [sent.pk]
    assert set(ids(api.get(URL, {"status": ["sent", "canceled"]}))) == {sent.pk, cheap.pk}
    day = (now - timedelta(days=30)).date().isoformat()
    assert ids(api.get(URL, {"created_after": day, "created_before": day})) == [old.pk]
    assert set(ids(api.get(URL, {"created_after": now.date().isoformat()}))) == {
        sent.pk,
        cheap.pk,
    }
    assert ids(api.get(URL, {"total_min": "60", "total_max": "200"})) == [old.pk]
    assert ids(api.get(URL, {"total_max": "50.50"})) == [cheap.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"total_min": "abc"}, "total_min"),
        ({"total_min": "-1"}, "total_min"),
        ({"total_max": "1e400"}, "total_max"),
        ({"created_after": "yesterday"}, "created"),
        ({"created_after": "2025-02-30"}, "created"),
        ({"created_before": "9999-12-31"}, "created"),
        ({"page": "0"}, "page"),
        ({"page": "9" * 30}, "page"),
    ],
)
def test_bad_filters_are_400_with_field_errors(
    api: Any, user: Any, offers: list[Any], settings: Any, params: dict[str, str], field: str
) -> None:
    settings.TIME_ZONE = "America/New_York"  # the last day would end in year 10000 in UTC
    factories.order(user, offers=offers[:1])
    response = api.get(URL, params)
    assert response.status_code == 400, params
    assert attrs(response) == {field}


def test_pagination(api: Any, user: Any, offers: list[Any]) -> None:
    for _ in range(5):
        factories.order(user, offers=offers[:1])
    page = api.get(URL, {"page_size": 2, "page": 3}).data
    assert page["count"] == 5 and len(page["results"]) == 1 and page["next"] is None


def test_second_user_gets_404(user: Any, other_api: Any, offers: list[Any]) -> None:
    order = factories.order(user, offers=offers)
    assert other_api.get(f"{URL}{order.pk}/").status_code == 404
    assert other_api.get(URL).data["count"] == 0


def test_list_runs_a_constant_number_of_queries(
    api: Any, user: Any, offers: list[Any], django_assert_max_num_queries: Any
) -> None:
    for _ in range(30):
        factories.order(user, offers=offers)
    with django_assert_max_num_queries(4):  # count, orders, parts, lines
        response = api.get(URL, {"page_size": 30})
    assert len(response.data["results"]) == 30


def test_checkout_takes_an_address_from_the_book(user: Any, other_user: Any) -> None:
    address = factories.address(user, building="12", postal_code="190000")
    resolved = orders_resolve_address(user=user, address_id=address.pk)
    assert resolved["building"] == "12" and resolved["postal_code"] == "190000"
    with pytest.raises(CheckoutError):
        orders_resolve_address(user=other_user, address_id=address.pk)


def test_the_order_keeps_its_address_after_the_book_changes(user: Any, offers: list[Any]) -> None:
    from shop_cabinet import services
    from shop_orders import services as order_services

    address = factories.address(user, city="Kazan", postal_code="420000")
    order_services.add_line(user=user, offer_id=offers[0].pk, quantity=1)
    order = order_services.checkout(
        user=user, address=orders_resolve_address(user=user, address_id=address.pk)
    ).order
    services.update_address(address=address, city="Samara")
    services.delete_address(address=address)
    order.refresh_from_db()
    assert order.city == "Kazan" and order.postal_code == "420000"


@pytest.mark.urls("tests.urls_with_orders")
def test_checkout_over_http_with_an_address_id_then_the_dashboard(
    api: Any,
    user: Any,
    other_user: Any,
    offers: list[Any],
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.SHOP_CABINET = {"DASHBOARD_CACHE_TIMEOUT": 300}
    mine = factories.address(user, city="Kazan", postal_code="420000")
    theirs = factories.address(other_user, city="Omsk", postal_code="644000")
    assert api.get("/api/v1/cabinet/dashboard/").json()["orders"]["count"] == 0  # cached

    response = api.post("/api/v1/orders/cart/lines/", {"offer": offers[0].pk}, format="json")
    assert response.status_code == 201, response.data
    refused = api.post("/api/v1/orders/checkout/", {"address_id": str(theirs.pk)}, format="json")
    assert refused.status_code == 400 and attrs(refused) == {"address_id"}
    with django_capture_on_commit_callbacks(execute=True):
        placed = api.post("/api/v1/orders/checkout/", {"address_id": str(mine.pk)}, format="json")
    assert placed.status_code == 201, placed.data

    detail = api.get(f"/api/v1/cabinet/orders/{placed.data['id']}/").json()
    assert detail["address"]["city"] == "Kazan" and detail["address"]["postal_code"] == "420000"
    assert detail["email"] == getattr(user, user.get_email_field_name())  # any user model
    dashboard = api.get("/api/v1/cabinet/dashboard/").json()
    assert dashboard["orders"]["count"] == 1  # order_placed dropped the cached page
    assert dashboard["orders"]["last"]["id"] == placed.data["id"]


@pytest.mark.parametrize("url", ["/api/v1/cabinet/orders/abc/", "/api/v1/cabinet/addresses/abc/"])
def test_non_numeric_ids_are_404(api: Any, url: str) -> None:
    assert api.get(url).status_code == 404


@pytest.mark.urls("tests.urls_with_orders")
def test_an_address_typed_with_other_digits_checks_out(
    api: Any, user: Any, offers: list[Any]
) -> None:
    """Saved with Arabic-Indic digits, stored with ASCII ones: checkout takes it."""
    saved = api.post(
        "/api/v1/cabinet/addresses/",
        {
            "recipient": "Anna",
            "phone": "+٧ ٤٩٥ ١٢٣-٤٥-٦٧",
            "city": "Moscow",
            "street": "Tverskaya",
            "building": "1",
            "postal_code": "1٢٥٠٠٩",
        },
        format="json",
    )
    assert saved.status_code == 201, saved.data
    api.post("/api/v1/orders/cart/lines/", {"offer": offers[0].pk}, format="json")
    placed = api.post("/api/v1/orders/checkout/", {"address_id": saved.data["id"]}, format="json")
    assert placed.status_code == 201, placed.data
    order = Order.objects.get(pk=placed.data["id"])
    assert (order.phone, order.postal_code) == ("+7 495 123-45-67", "125009")


def test_an_order_of_external_items_in_the_list_detail_and_dashboard(
    api: Any, user: Any, offers: list[Any]
) -> None:
    """A booking paid through an order (``shop_orders.services.external``): no offer, no shop."""
    from decimal import Decimal

    from shop_orders.services import ExternalItem, order_external_items

    factories.order(user, offers=offers[:1], created=timezone.now() - timedelta(days=1))
    item = ExternalItem(
        source="shop_bookings.booking", reference="5", title="Massage", price=Decimal("900.00")
    )
    external = order_external_items(user, [item])
    first = api.get(URL).data["results"][0]
    assert first["id"] == external.pk and first["total"] == "900.00"
    assert [(line["offer"], line["reference"]) for line in first["lines"]] == [(None, "5")]
    detail = api.get(f"{URL}{external.pk}/")
    assert detail.status_code == 200 and detail.data["parts"][0]["shop"] is None
    dashboard = api.get("/api/v1/cabinet/dashboard/")
    assert dashboard.status_code == 200 and dashboard.data["orders"]["count"] == 2
