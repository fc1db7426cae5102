"""The demo data: idempotent, and a verified B2B customer's year of orders."""

from __future__ import annotations

from typing import Any

import pytest

from shop_cabinet import demo, selectors
from shop_cabinet.models import Address, Favourite
from shop_orders.models import Order

from . import factories

pytestmark = pytest.mark.django_db


def test_demo_data_is_idempotent(user: Any, other_user: Any, settings: Any) -> None:
    settings.SHOP_CABINET = {"CUSTOMER_KIND_RESOLVER": "tests.hooks.everyone_verified_b2b"}
    shop = factories.shop()
    for price in ("100.00", "200.00", "300.00"):
        factories.offer(shop_obj=shop, price=price, quantity=100)
    for _ in range(2):
        demo.create_demo_data(customers=[user], b2b_customer=other_user)
    assert Address.objects.filter(user=user).count() == 2
    assert Address.objects.filter(user=other_user, kind="legal").count() == 1
    assert Favourite.objects.filter(user=user).count() == 3
    assert Order.objects.filter(user=other_user).count() == 12
    finance = selectors.dashboard(other_user)["finance"]
    assert all(month["spent"] > 0 for month in finance["spent_per_month"])
    assert finance["open_amount"] > 0  # this month's order is still new
    by_status = selectors.dashboard(other_user)["orders"]["by_status"]
    assert by_status["delivered"] == 11 and by_status["new"] == 1
