"""The cabinet with shop_accounts behind its hooks, as the site composes them
(here, not in the cabinet's own tests: a package never imports another)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from shop_accounts import services as accounts
from shop_cabinet import export, selectors
from shop_cabinet.hooks import CustomerKind

URL = "/api/v1/cabinet/dashboard/"
pytestmark = pytest.mark.django_db


@pytest.fixture
def user() -> Any:
    return accounts.create_user(email="alice@example.com", password="pw-123456789")


def set_profile(user: Any, *, verified: bool | None = None, **changes: Any) -> None:
    """Change the user's profile through shop_accounts' services."""
    profile = accounts.update_profile(profile=accounts.get_profile(user), **changes)
    if verified is not None:
        accounts.set_company_verified(profile=profile, verified=verified, by=None)


def test_customer_kind_is_shop_accounts_business_profile(user: Any) -> None:
    assert selectors.customer_kind(user) == CustomerKind("b2c", False)
    set_profile(user, customer_kind="b2b", company_name="ACME", tax_number="7707083893")
    assert selectors.customer_kind(user) == CustomerKind("b2b", False)
    set_profile(user, verified=True)
    assert selectors.customer_kind(user).is_verified_business
    set_profile(user, company_name="ACME Ltd")  # an edit withdraws the verification
    assert selectors.customer_kind(user) == CustomerKind("b2b", False)


def test_verified_b2b_sees_the_finance_block(user: Any, api_client: APIClient) -> None:
    api_client.force_authenticate(user)
    assert api_client.get(URL).json()["finance"] is None
    set_profile(user, customer_kind="b2b", company_name="ACME", tax_number="7707083893")
    set_profile(user, verified=True)
    data = api_client.get(URL).json()
    assert data["customer"] == {"kind": "b2b", "verified": True}
    assert len(data["finance"]["spent_per_month"]) == 12


def test_profile_section_in_the_export(user: Any) -> None:
    set_profile(user, full_name="Alice Liddell", city="Oxford")
    profile = export.build_export(user)["sections"]["profile"]
    assert profile["full_name"] == "Alice Liddell" and profile["city"] == "Oxford"
    assert "user" not in profile and "id" not in profile
