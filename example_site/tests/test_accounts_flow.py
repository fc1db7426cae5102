"""The accounts story through HTTP, with the site's custom user model."""

import pytest

from .helpers import DEMO_PASSWORD, PASSWORD, logged_in, register_and_verify

pytestmark = pytest.mark.django_db


def login(api_client, email, password=PASSWORD):
    return api_client.post(
        "/api/v1/accounts/login/", {"email": email, "password": password}, format="json"
    )


def test_register_verify_login_and_edit_profile(api_client):
    register_and_verify(api_client, "ann@example.com")
    ann = logged_in("ann@example.com")

    me = ann.get("/api/v1/accounts/user/").json()
    assert me["email"] == "ann@example.com"
    assert me["roles"] == ["customer"]
    assert "username" not in me  # the site's user model has none

    response = ann.patch(
        "/api/v1/accounts/user/",
        {"first_name": "Ann", "profile": {"city": "Казань", "phone": "+79161234567"}},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["profile"]["city"] == "Казань"
    assert response.json()["first_name"] == "Ann"


def test_register_as_supplier_where_the_site_allows_it(api_client):
    register_and_verify(api_client, "sam@example.com", role="supplier")
    me = logged_in("sam@example.com").get("/api/v1/accounts/user/").json()
    assert me["roles"] == ["customer", "supplier"]


def test_unverified_user_cannot_log_in(api_client):
    api_client.post(
        "/api/v1/accounts/registration/",
        {"email": "bob@example.com", "password1": PASSWORD, "password2": PASSWORD},
        format="json",
    )
    assert login(api_client, "bob@example.com").status_code == 400


def test_login_is_throttled(api_client, demo):
    # The site allows 10 login requests a minute per client, even successful ones.
    statuses = [
        login(api_client, "customer@example.com", DEMO_PASSWORD).status_code for _ in range(11)
    ]
    assert statuses == [200] * 10 + [429]


def test_guessing_a_password_locks_the_account(api_client, demo):
    # allauth's limit: 5 failures per account; then even the right password is refused.
    wrong = [login(api_client, "customer@example.com", "guess").status_code for _ in range(5)]
    assert wrong == [400] * 5
    assert login(api_client, "customer@example.com", DEMO_PASSWORD).status_code == 429


def test_second_user_sees_only_own_account(demo):
    customer = logged_in("customer@example.com", DEMO_PASSWORD)
    assert customer.get("/api/v1/accounts/user/").json()["email"] == "customer@example.com"
    # Companies are for managers only; the manager sees the demo B2B company.
    assert customer.get("/api/v1/accounts/companies/").status_code == 403
    manager = logged_in("admin@example.com", DEMO_PASSWORD)
    companies = manager.get("/api/v1/accounts/companies/").json()
    assert [c["email"] for c in companies["results"]] == ["b2b@example.com"]
