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


def errors_of(response: Any) -> list[tuple[Any, str]]:
    """``(attr, code)`` of each problem in an error answer (the shop_core error shape)."""
    body = response.json()
    assert set(body) >= {"type", "errors"}, body
    return [(error["attr"], error["code"]) for error in body["errors"]]


def codes_of(response: Any) -> list[str]:
    """The code of each problem in an error answer."""
    return [code for _attr, code in errors_of(response)]
