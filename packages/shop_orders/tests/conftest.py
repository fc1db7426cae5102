"""Fixtures of the shop_orders tests."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from . import factories


@pytest.fixture
def customer(db: Any) -> Any:
    return factories.user("alice")


@pytest.fixture
def other_user(db: Any) -> Any:
    return factories.user("bob")


@pytest.fixture
def supplier_user(db: Any) -> Any:
    return factories.user("supplier")


@pytest.fixture
def shop(supplier_user: Any) -> Any:
    return factories.shop("Svyaznoy", owner=supplier_user)


@pytest.fixture
def offer(shop: Any) -> Any:
    return factories.offer(shop_obj=shop, price="250.00", quantity=5, name="Phone")


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api(customer: Any) -> APIClient:
    return client_for(customer)


@pytest.fixture
def other_api(other_user: Any) -> APIClient:
    return client_for(other_user)


@pytest.fixture
def supplier_api(supplier_user: Any) -> APIClient:
    return client_for(supplier_user)
