"""Order endpoints: customer list/detail/cancel, supplier list/move, isolation, queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shop_catalog.models import Offer
from shop_orders import services
from shop_orders.models import Order, OrderPart, StatusChange

from . import factories
from .conftest import client_for, errors_of

ORDERS = "/api/v1/orders/orders/"
SUPPLIER = "/api/v1/orders/supplier/orders/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_shop_order(customer, offer):
    other = factories.offer(price="40.00", quantity=9, name="Case")
    return factories.place_order(customer, [(offer, 1), (other, 2)])


def make_orders(customer, count, lines=3):
    offers = [factories.offer(quantity=10_000, price="10.00") for _ in range(lines)]
    for _ in range(count):
        factories.place_order(customer, [(o, 1) for o in offers])


def test_customer_list_and_detail(api, two_shop_order):
    body = api.get(ORDERS).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["number"] == two_shop_order.number
    assert Decimal(row["total"]) == Decimal("330.00")
    assert sorted(p["shop_name"] for p in row["parts"]) == sorted(
        two_shop_order.parts.values_list("shop_name", flat=True)
    )
    detail = api.get(f"{ORDERS}{two_shop_order.pk}/").json()
    assert len(detail["history"]) == 2
    assert all(h["by_customer"] for h in detail["history"])


@pytest.mark.parametrize("count", [5, 50])
def test_order_list_runs_constant_queries(api, customer, count, django_assert_max_num_queries):
    make_orders(customer, count)
    # session auth: session + user; then count, page, parts, lines
    with django_assert_max_num_queries(6):
        body = api.get(ORDERS, {"page_size": 100}).json()
    assert body["count"] == count
    assert len(body["results"]) == count
    assert all(len(o["parts"][0]["lines"]) == 1 for o in body["results"])


def test_order_list_paginates_by_20(api, customer):
    make_orders(customer, 25, lines=1)
    body = api.get(ORDERS).json()
    assert (body["count"], len(body["results"])) == (25, 20)
    assert body["next"]
    assert len(api.get(ORDERS, {"page": 2}).json()["results"]) == 5


def test_order_list_filters(api, customer, offer):
    cheap = factories.offer(price="10.00", quantity=50)
    small = factories.place_order(customer, [(cheap, 1)])
    big = factories.place_order(customer, [(offer, 2)])
    services.cancel_order(order=small, by=customer)
    Order.objects.filter(pk=small.pk).update(
        created=dt.datetime(2024, 1, 15, 12, tzinfo=dt.timezone.utc)
    )

    def ids(**params):
        response = api.get(ORDERS, params)
        assert response.status_code == 200, response.json()
        return [o["id"] for o in response.json()["results"]]

    assert ids(status="canceled") == [small.pk]
    assert ids(status=["new", "canceled"]) == [big.pk, small.pk]
    assert ids(total_min="100") == [big.pk]
    assert ids(total_max="10") == [small.pk]
    assert ids(created_after="2024-01-15", created_before="2024-01-15") == [small.pk]
    assert ids(created_after="2024-01-16") == [big.pk]
    assert ids(ordering="total") == [small.pk, big.pk]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"status": "lost"}, ("status", "invalid_choice")),
        ({"total_min": "abc"}, ("total_min", "invalid")),
        ({"created_after": "x"}, ("created", "invalid")),
    ],
)
def test_bad_filters_are_400(api, params, error):
    response = api.get(ORDERS, params)
    assert response.status_code == 400
    assert errors_of(response) == [error]


def test_customer_cancel_endpoint(api, customer, offer, two_shop_order):
    response = api.post(f"{ORDERS}{two_shop_order.pk}/cancel/", {"comment": "oops"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "canceled"
    assert response.json()["can_cancel"] is False
    assert Offer.objects.get(pk=offer.pk).quantity == 5
    again = api.post(f"{ORDERS}{two_shop_order.pk}/cancel/", {}, format="json")
    assert again.status_code == 400
    assert errors_of(again) == [("non_field_errors", "already_canceled")]


def test_customer_cannot_cancel_sent_order(api, offer, customer):
    order = factories.place_order(customer, [(offer, 1)])
    part = order.parts.get()
    for status in ("confirmed", "assembled", "sent"):
        services.move_part(part=part, to_status=status)
    response = api.post(f"{ORDERS}{order.pk}/cancel/", {}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("non_field_errors", "not_cancelable")]
    assert Order.objects.get(pk=order.pk).status == "sent"
    assert Offer.objects.get(pk=offer.pk).quantity == 4


def test_second_user_gets_404_on_every_order_object(other_api, two_shop_order):
    pk = two_shop_order.pk
    assert other_api.get(ORDERS).json()["count"] == 0
    assert other_api.get(f"{ORDERS}{pk}/").status_code == 404
    assert other_api.post(f"{ORDERS}{pk}/cancel/", {}, format="json").status_code == 404
    part = two_shop_order.parts.first()
    assert other_api.get(f"{SUPPLIER}{part.pk}/").status_code == 404
    response = other_api.post(
        f"{SUPPLIER}{part.pk}/status/", {"status": "confirmed"}, format="json"
    )
    assert response.status_code == 404
    assert Order.objects.get(pk=pk).status == "new"


def test_anonymous_gets_403(client, two_shop_order):
    assert client.get(ORDERS).status_code == 403
    assert client.get(SUPPLIER).status_code == 403


# --- supplier ---------------------------------------------------------------


def test_supplier_sees_only_its_part_and_lines(supplier_api, two_shop_order, shop):
    body = supplier_api.get(SUPPLIER).json()
    assert body["count"] == 1
    part = body["results"][0]
    assert part["shop"] == shop.pk
    assert [line["product_name"] for line in part["lines"]] == ["Phone"]
    assert Decimal(part["total"]) == Decimal("250.00")
    assert part["order"]["number"] == two_shop_order.number
    assert part["order"]["address"]["city"] == "Moscow"
    assert part["next_statuses"] == ["confirmed", "canceled"]


def test_shop_staff_are_suppliers_too(two_shop_order, shop):
    clerk = factories.user("clerk")
    shop.staff.add(clerk)
    assert client_for(clerk).get(SUPPLIER).json()["count"] == 1


def test_supplier_moves_its_part_and_the_customer_sees_it(
    supplier_api, api, two_shop_order, shop, supplier_user
):
    part = two_shop_order.parts.get(shop=shop)
    response = supplier_api.post(
        f"{SUPPLIER}{part.pk}/status/", {"status": "confirmed", "comment": "ok"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "confirmed"
    change = StatusChange.objects.latest("pk")
    assert (change.by, change.comment, change.to_status) == (supplier_user, "ok", "confirmed")
    detail = api.get(f"{ORDERS}{two_shop_order.pk}/").json()
    statuses = {p["shop"]: p["status"] for p in detail["parts"]}
    assert statuses[shop.pk] == "confirmed"
    assert detail["status"] == "new"  # the other shop has not confirmed yet
    assert detail["history"][-1]["by_customer"] is False


def test_supplier_cannot_move_another_shops_part(supplier_api, two_shop_order, shop):
    foreign = two_shop_order.parts.exclude(shop=shop).get()
    response = supplier_api.post(
        f"{SUPPLIER}{foreign.pk}/status/", {"status": "confirmed"}, format="json"
    )
    assert response.status_code == 404
    assert OrderPart.objects.get(pk=foreign.pk).status == "new"


@pytest.mark.parametrize(
    ("target", "code"),
    [
        ("delivered", "invalid_transition"),
        ("new", "invalid_transition"),
        ("lost", "invalid_choice"),
    ],
)
def test_disallowed_transition_is_400_and_changes_nothing(
    supplier_api, two_shop_order, shop, target, code
):
    part = two_shop_order.parts.get(shop=shop)
    before = StatusChange.objects.count()
    response = supplier_api.post(f"{SUPPLIER}{part.pk}/status/", {"status": target}, format="json")
    assert response.status_code == 400
    assert errors_of(response) == [("status", code)]
    assert OrderPart.objects.get(pk=part.pk).status == "new"
    assert StatusChange.objects.count() == before


def test_supplier_filters(supplier_api, customer, offer, shop):
    first = factories.place_order(customer, [(offer, 1)])
    factories.place_order(customer, [(offer, 1)])
    services.move_part(part=first.parts.get(), to_status="confirmed")
    results = supplier_api.get(SUPPLIER, {"status": "confirmed"}).json()["results"]
    assert [r["order"]["id"] for r in results] == [first.pk]
    assert supplier_api.get(SUPPLIER, {"shop": shop.pk + 1000}).json()["count"] == 0


@pytest.mark.parametrize("count", [5, 50])
def test_supplier_list_runs_constant_queries(
    supplier_api, customer, shop, count, django_assert_max_num_queries
):
    offers = [factories.offer(shop_obj=shop, quantity=10_000) for _ in range(3)]
    for _ in range(count):
        factories.place_order(customer, [(o, 1) for o in offers])
    # session + user, count (with the shops subquery), page, lines
    with django_assert_max_num_queries(6):
        body = supplier_api.get(SUPPLIER, {"page_size": 100}).json()
    assert body["count"] == count
    assert all(len(r["lines"]) == 3 for r in body["results"])


# --- bad input ----------------------------------------------------------------

BAD_LIST_PARAMS = [
    ({"page": "0"}, ("page", "invalid_page")),
    ({"page": "-1"}, ("page", "invalid_page")),
    ({"page": "abc"}, ("page", "invalid_page")),
    ({"page": "9" * 30}, ("page", "invalid_page")),
    ({"page": "2"}, ("page", "invalid_page")),  # past the last page
    ({"total_min": "-5"}, ("total_min", "min_value")),
    ({"total_max": "-0.01"}, ("total_max", "min_value")),
    ({"total_min": "1e400"}, ("total_min", "max_digits"), ("total_min", "max_value")),
    ({"total_min": "NaN"}, ("total_min", "invalid")),
    ({"total_max": "9" * 40}, ("total_max", "max_digits")),
    ({"total_min": "0.001"}, ("total_min", "max_decimal_places")),
    ({"created_after": "2025-13-45"}, ("created", "invalid")),
    ({"created_before": "yesterday"}, ("created", "invalid")),
    ({"created_before": "9999-12-31"}, ("created", "out_of_range")),
    ({"created_after": "0001-01-01"}, ("created", "out_of_range")),
    ({"created_before": "9001-01-01"}, ("created", "out_of_range")),
    ({"created_after": "1969-12-31"}, ("created", "out_of_range")),
    ({"created_after": "٢٠٢٥-٠١-٠١"}, ("created", "non_ascii_digits")),
    ({"status": "lost"}, ("status", "invalid_choice")),
]


@pytest.mark.parametrize("time_zone", ["America/New_York", "Asia/Tokyo"])
@pytest.mark.parametrize(("params", "errors"), [(p, e) for p, *e in BAD_LIST_PARAMS])
def test_bad_list_parameters_are_400_with_their_codes(
    api, two_shop_order, settings, time_zone, params, errors
):
    settings.TIME_ZONE = time_zone  # extreme dates must not overflow in any zone
    response = api.get(ORDERS, params)
    assert response.status_code == 400, (params, response.content)
    assert errors_of(response) == errors


@pytest.mark.parametrize(
    "params", [{"created_after": "1969-12-31"}, {"created_before": "9999-12-31"}]
)
def test_dates_out_of_range_name_their_code(api, supplier_api, two_shop_order, params):
    for client, url in [(api, ORDERS), (supplier_api, SUPPLIER)]:
        response = client.get(url, params)
        assert response.status_code == 400
        assert errors_of(response) == [("created", "out_of_range")]
        assert "1970-01-01" in response.json()["errors"][0]["detail"]


def test_every_filter_problem_has_its_code(api, two_shop_order):
    response = api.get(ORDERS, {"status": "lost", "total_min": "-1"})
    assert response.status_code == 400
    assert sorted(errors_of(response)) == [("status", "invalid_choice"), ("total_min", "min_value")]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"page": "0"}, ("page", "invalid_page")),
        ({"shop": "-1"}, ("shop", "min_value")),
        ({"shop": "9" * 30}, ("shop", "max_value")),
        ({"shop": "1.5"}, ("shop", "max_decimal_places")),
        ({"created_after": "0001-01-01"}, ("created", "out_of_range")),
        ({"status": "lost"}, ("status", "invalid_choice")),
    ],
)
def test_bad_supplier_list_parameters_are_400(supplier_api, two_shop_order, params, error):
    response = supplier_api.get(SUPPLIER, params)
    assert response.status_code == 400, (params, response.content)
    assert errors_of(response) == [error]


def test_sane_extremes_still_filter(api, two_shop_order):
    assert api.get(ORDERS, {"total_min": "0", "total_max": "9999999999.99"}).json()["count"] == 1
    body = api.get(ORDERS, {"created_after": "1970-01-01", "created_before": "9000-12-31"}).json()
    assert body["count"] == 1
    assert api.get(ORDERS, {"page_size": "abc"}).json()["count"] == 1  # falls back to the default
