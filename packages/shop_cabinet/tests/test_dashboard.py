"""Dashboard: figures, the B2B block, bookings switch, query count, cache."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop_cabinet import selectors, services
from shop_cabinet.hooks import CustomerKind, resolve_customer_kind
from shop_orders.models import Status
from shop_orders.signals import order_placed

from . import factories

URL = "/api/v1/cabinet/dashboard/"
B2B = "tests.hooks.everyone_verified_b2b"
pytestmark = pytest.mark.django_db
ADDRESS = {
    "recipient": "Anna",
    "phone": "+7 812 555-00-11",
    "city": "Saint Petersburg",
    "street": "Nevsky",
    "building": "28",
    "postal_code": "191186",
}


@pytest.fixture
def offers() -> list[Any]:
    shop = factories.shop()
    return [
        factories.offer(shop_obj=shop, price="100.00"),
        factories.offer(shop_obj=shop, price="250.00"),
        factories.offer(shop_obj=shop, price="50.50"),
    ]


def test_empty_dashboard(api: Any) -> None:
    data = api.get(URL).json()
    assert data["orders"] == {
        "count": 0,
        "by_status": {s: 0 for s in Status.values},
        "last": None,
    }
    assert data["spent"] == {"this_month": "0.00", "overall": "0.00"}
    assert data["favourites_count"] == 0 and data["addresses_count"] == 0
    assert data["customer"] == {"kind": "b2c", "verified": False}
    assert data["finance"] is None


def test_figures(api: Any, user: Any, other_user: Any, offers: list[Any]) -> None:
    now = timezone.now()
    last_month = timezone.localtime(now).replace(day=1) - timedelta(days=3)
    factories.order(user, offers=offers[:1], created=last_month, status=Status.DELIVERED)
    factories.order(user, offers=offers[1:2], status=Status.CANCELED)
    newest = factories.order(user, offers=offers, status=Status.NEW)
    factories.order(other_user, offers=offers)  # not counted
    factories.address(user)
    services.add_favourite(user=user, product=offers[0].product)

    data = api.get(URL).json()
    assert data["orders"]["count"] == 3
    assert data["orders"]["by_status"]["new"] == 1
    assert data["orders"]["by_status"]["canceled"] == 1
    assert data["orders"]["by_status"]["delivered"] == 1
    assert data["orders"]["last"]["id"] == newest.pk
    assert data["orders"]["last"]["total"] == "400.50"
    # canceled orders are not spent; last month's order is not this month's
    assert data["spent"] == {"this_month": "400.50", "overall": "500.50"}
    assert data["favourites_count"] == 1 and data["addresses_count"] == 1
    assert data["finance"] is None


def test_b2b_finance_block(user: Any, settings: Any, offers: list[Any]) -> None:
    settings.SHOP_CABINET = {"CUSTOMER_KIND_RESOLVER": B2B}
    now = timezone.make_aware(datetime(2025, 6, 15, 12, 0))
    factories.order(
        user, offers=offers[:1], created=now - timedelta(days=1), status=Status.DELIVERED
    )
    factories.order(user, offers=offers[1:2], created=now - timedelta(days=40))  # May, open
    factories.order(user, offers=offers[2:], created=now - timedelta(days=400))  # too old
    factories.order(user, offers=offers, created=now - timedelta(days=2), status=Status.CANCELED)

    finance = selectors.dashboard(user, now=now)["finance"]
    months = finance["spent_per_month"]
    assert len(months) == 12
    assert months[0]["month"] == "2024-07" and months[-1]["month"] == "2025-06"
    spent = {m["month"]: m["spent"] for m in months}
    assert spent["2025-06"] == Decimal("100.00")
    assert spent["2025-05"] == Decimal("250.00")
    assert sum(spent.values()) == Decimal("350.00")
    assert finance["open_amount"] == Decimal("300.50")  # May's new order + the old new one
    # (100 + 250 + 50.50) / 3 orders not canceled
    assert finance["average_order_value"] == Decimal("133.50")


def test_b2b_not_verified_gets_no_finance_block(user: Any, settings: Any, client_of: Any) -> None:
    settings.SHOP_CABINET = {"CUSTOMER_KIND_RESOLVER": "tests.hooks.b2b_when_named_acme"}
    mine = client_of(user).get(URL).json()
    assert mine["customer"] == {"kind": "b2b", "verified": False} and mine["finance"] is None
    acme = factories.user("acme-buyer")
    data = client_of(acme).get(URL).json()
    assert data["customer"] == {"kind": "b2b", "verified": True}
    assert len(data["finance"]["spent_per_month"]) == 12


def test_finance_months_setting(user: Any, settings: Any) -> None:
    settings.SHOP_CABINET = {"CUSTOMER_KIND_RESOLVER": B2B, "FINANCE_MONTHS": 3}
    now = timezone.make_aware(datetime(2025, 2, 10))
    months = selectors.dashboard(user, now=now)["finance"]["spent_per_month"]
    assert [m["month"] for m in months] == ["2024-12", "2025-01", "2025-02"]


@pytest.mark.without_apps("shop_accounts")
def test_default_customer_kind_is_b2c_without_shop_accounts(user: Any) -> None:
    assert resolve_customer_kind(user) is None
    assert selectors.customer_kind(user) == CustomerKind("b2c", False)


def test_the_resolver_may_return_any_object_with_kind_and_verified(
    user: Any, settings: Any
) -> None:
    """shop_accounts' ``business_profile`` fits the hook as it is."""
    settings.SHOP_CABINET = {"CUSTOMER_KIND_RESOLVER": "tests.hooks.business_like"}
    assert selectors.customer_kind(user) == CustomerKind("b2b", True)
    assert selectors.dashboard(user)["finance"] is not None


@pytest.mark.without_apps("shop_bookings")
def test_no_bookings_block_without_shop_bookings(api: Any) -> None:
    assert api.get(URL).json()["upcoming_bookings"] is None


def test_constant_queries_for_100_orders_of_3_lines(
    user: Any, settings: Any, offers: list[Any], client_of: Any
) -> None:
    settings.SHOP_CABINET = {"CUSTOMER_KIND_RESOLVER": B2B}
    api = client_of(user)
    factories.order(user, offers=offers)
    with CaptureQueriesContext(connection) as one:
        api.get(URL)
    now = timezone.now()
    for n in range(99):
        factories.order(user, offers=offers, created=now - timedelta(days=3 * n))
    with CaptureQueriesContext(connection) as hundred:
        response = api.get(URL)
    assert response.json()["orders"]["count"] == 100
    assert len(hundred) == len(one)
    # order stats, last order, money, per month, favourites, addresses (+ session/bookings)
    assert len(hundred) <= 8


class TestCache:
    @pytest.fixture(autouse=True)
    def _cache_on(self, settings: Any) -> None:
        settings.SHOP_CABINET = {"DASHBOARD_CACHE_TIMEOUT": 300}

    def test_off_by_default(self, user: Any, settings: Any, django_assert_num_queries: Any) -> None:
        settings.SHOP_CABINET = {}
        selectors.cached_dashboard(user)
        with CaptureQueriesContext(connection) as again:
            selectors.cached_dashboard(user)
        assert len(again) > 0

    def test_second_read_is_served_from_the_cache(
        self, user: Any, django_assert_num_queries: Any
    ) -> None:
        first = selectors.cached_dashboard(user)
        with django_assert_num_queries(0):
            assert selectors.cached_dashboard(user) == first

    def test_favourite_changes_invalidate(
        self, user: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        assert selectors.cached_dashboard(user)["favourites_count"] == 0
        product = factories.product()
        with django_capture_on_commit_callbacks(execute=True):
            services.add_favourite(user=user, product=product)
        assert selectors.cached_dashboard(user)["favourites_count"] == 1
        with django_capture_on_commit_callbacks(execute=True):
            services.remove_favourite(user=user, product_id=product.pk)
        assert selectors.cached_dashboard(user)["favourites_count"] == 0

    def test_address_changes_invalidate(self, user: Any) -> None:
        assert selectors.cached_dashboard(user)["addresses_count"] == 0
        address = factories.address(user)
        assert selectors.cached_dashboard(user)["addresses_count"] == 1
        services.delete_address(address=address)
        assert selectors.cached_dashboard(user)["addresses_count"] == 0

    def test_order_signals_invalidate(self, user: Any, offers: list[Any]) -> None:
        assert selectors.cached_dashboard(user)["orders"]["count"] == 0
        order = factories.order(user, offers=offers)
        assert selectors.cached_dashboard(user)["orders"]["count"] == 0  # no signal yet
        order_placed.send(sender=type(order), order=order, user=user)
        assert selectors.cached_dashboard(user)["orders"]["count"] == 1

    def test_other_users_entries_are_kept(
        self, user: Any, other_user: Any, django_assert_num_queries: Any
    ) -> None:
        selectors.cached_dashboard(other_user)
        factories.address(user)
        with django_assert_num_queries(0):
            selectors.cached_dashboard(other_user)


@pytest.mark.django_db(transaction=True)
def test_a_cache_that_is_down_never_fails_a_write(api: Any, settings: Any, caplog: Any) -> None:
    """Dropping the cached dashboard is a side effect: logged, never an error."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "broken": {"BACKEND": "tests.backends.BrokenCache"},
    }
    settings.SHOP_CABINET = {"DASHBOARD_CACHE_TIMEOUT": 300, "DASHBOARD_CACHE_ALIAS": "broken"}
    product = factories.product()
    response = api.post("/api/v1/cabinet/addresses/", ADDRESS, format="json")
    assert response.status_code == 201
    response = api.post("/api/v1/cabinet/favourites/", {"product_id": product.pk}, format="json")
    assert response.status_code == 201
    assert "Could not drop the cached dashboard" in caplog.text
