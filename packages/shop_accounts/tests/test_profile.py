"""Profiles: created by signal, edited through /user/, B2B rules, verification."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError

from shop_accounts.exceptions import CompanyIncomplete, NotBusinessCustomer
from shop_accounts.models import Profile
from shop_accounts.services import get_profile, seed_roles, set_company_verified
from shop_accounts.signals import company_verified
from shop_accounts.validators import validate_inn

from .conftest import APIClient, email_of, errors, user_has_field

pytestmark = pytest.mark.django_db

USER = "/api/v1/accounts/user/"
COMPANIES = "/api/v1/accounts/companies/"
SBER = "7707083893"  # Sberbank's INN (10 digits)
PERSON_INN = "500100732259"  # a valid 12-digit INN


def make_b2b(user: Any, *, verified: bool = False, by: Any = None) -> Profile:
    profile = get_profile(user)
    profile.customer_kind = Profile.CustomerKind.B2B
    profile.company_name = "Sber"
    profile.tax_number = SBER
    profile.save()
    if verified:
        set_company_verified(profile=profile, verified=True, by=by)
    return profile


def test_profile_is_created_by_signal_for_any_new_user():
    user_model = get_user_model()
    user = user_model._default_manager.create(**{user_model.USERNAME_FIELD: "plain@example.com"})
    assert Profile.objects.get(user=user).customer_kind == "b2c"


def test_get_user_returns_me_with_roles_and_profile(user_client, user):
    response = user_client.get(USER)

    assert response.status_code == 200
    body = response.json()
    assert body["pk"] == user.pk and body["email"] == "alice@example.com"
    assert body["email"] == email_of(user)
    assert body["roles"] == []
    assert body["profile"]["customer_kind"] == "b2c"
    assert body["profile"]["company_verified"] is False


def test_get_user_creates_a_missing_profile(user_client, user):
    Profile.objects.filter(user=user).delete()
    assert user_client.get(USER).status_code == 200
    assert Profile.objects.filter(user=user).exists()


def test_patch_user_edits_names_and_profile(user_client, user):
    data = {
        "email": "evil@example.com",
        "profile": {"full_name": "Alice Liddell", "phone": "+79161234567", "city": "Moscow"},
    }
    if user_has_field("first_name"):
        data["first_name"] = "Alice"

    response = user_client.patch(USER, data, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["profile"]["phone"] == "+79161234567"
    user.refresh_from_db()
    assert getattr(user, "first_name", "Alice") == "Alice"
    assert email_of(user) == "alice@example.com"  # read-only here
    profile = Profile.objects.get(user=user)
    assert (profile.full_name, str(profile.phone), profile.city) == (
        "Alice Liddell",
        "+79161234567",
        "Moscow",
    )


@pytest.mark.parametrize("phone", ["junk", "12345", "+7 000"])
def test_bad_phone_is_400(user_client, user, phone):
    response = user_client.patch(USER, {"profile": {"phone": phone}}, format="json")

    assert response.status_code == 400
    assert errors(response) == [("profile.phone", "invalid_phone")]
    assert not Profile.objects.get(user=user).phone


def test_b2b_needs_company_name_and_tax_number(user_client, user):
    response = user_client.patch(USER, {"profile": {"customer_kind": "b2b"}}, format="json")

    assert response.status_code == 400
    assert errors(response) == [
        ("profile.company_name", "required"),
        ("profile.tax_number", "required"),
    ]
    assert Profile.objects.get(user=user).customer_kind == "b2c"


def test_b2b_with_bad_inn_is_400(user_client, user):
    response = user_client.patch(
        USER,
        {"profile": {"customer_kind": "b2b", "company_name": "Sber", "tax_number": "7707083894"}},
        format="json",
    )
    assert response.status_code == 400
    assert errors(response) == [("profile.tax_number", "inn_checksum")]


def test_b2b_switch_uses_stored_company_data(user_client, user):
    profile = get_profile(user)
    profile.company_name, profile.tax_number = "Sber", SBER
    profile.save()

    response = user_client.patch(USER, {"profile": {"customer_kind": "b2b"}}, format="json")

    assert response.status_code == 200, response.content
    assert Profile.objects.get(user=user).customer_kind == "b2b"


@pytest.mark.parametrize("value", [SBER, PERSON_INN, "7736207543", "500100732259"])
def test_valid_inns(value):
    validate_inn(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("7707083894", "inn_checksum"),
        ("500100732258", "inn_checksum"),
        ("500100732249", "inn_checksum"),
        ("770708389", "inn_length"),
        ("77070838931", "inn_length"),
        ("77070838a3", "inn_length"),
        ("770708389²", "inn_length"),  # str.isdigit() is true, int() fails
        ("٧٧٠٧٠٨٣٨٩٣", "inn_length"),  # Arabic-Indic digits
        ("", "inn_length"),
    ],
)
def test_invalid_inns(value, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_inn(value)
    assert excinfo.value.code == code


def test_user_cannot_give_themselves_roles(user_client, user):
    response = user_client.patch(USER, {"roles": ["manager"], "pk": 999}, format="json")

    assert response.status_code == 200
    assert response.json()["roles"] == [] and response.json()["pk"] == user.pk
    assert not user.groups.exists()


def test_user_cannot_verify_own_company(user_client, user):
    make_b2b(user)

    response = user_client.patch(
        USER, {"profile": {"company_verified": True, "company_verified_at": None}}, format="json"
    )

    assert response.status_code == 200
    assert Profile.objects.get(user=user).company_verified is False


def test_editing_company_data_withdraws_verification(user_client, user, make_user):
    manager = make_user(role="manager")
    make_b2b(user, verified=True, by=manager)
    events = []
    company_verified.connect(lambda **kw: events.append(kw["verified"]), weak=False)
    try:
        # Other fields keep the verification...
        user_client.patch(USER, {"profile": {"city": "Kazan"}}, format="json")
        assert Profile.objects.get(user=user).company_verified
        # ...company data does not.
        response = user_client.patch(
            USER, {"profile": {"company_name": "Sber Bank"}}, format="json"
        )
    finally:
        company_verified.receivers.clear()

    assert response.status_code == 200
    profile = Profile.objects.get(user=user)
    assert not profile.company_verified
    assert profile.company_verified_at is None and profile.company_verified_by is None
    assert events == [False]


# --- manager API ---------------------------------------------------------------------------


@pytest.fixture
def manager_client(make_user: Any) -> APIClient:
    seed_roles()
    client = APIClient()
    client.force_authenticate(make_user("manager@example.com", role="manager"))
    return client


def test_companies_list_for_managers(manager_client, make_user, django_assert_max_num_queries):
    for _ in range(5):
        make_b2b(make_user())
    make_user()  # a B2C customer is not listed

    with django_assert_max_num_queries(4):
        response = manager_client.get(COMPANIES)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 5 and len(body["results"]) == 5
    assert {row["tax_number"] for row in body["results"]} == {SBER}
    assert len(manager_client.get(COMPANIES, {"page_size": 2}).json()["results"]) == 2


def test_companies_filter_by_verified(manager_client, make_user):
    done = make_b2b(make_user(), verified=True)
    make_b2b(make_user())

    rows = manager_client.get(COMPANIES, {"verified": "true"}).json()["results"]

    assert [row["user_id"] for row in rows] == [done.user.pk]
    assert manager_client.get(COMPANIES, {"verified": "false"}).json()["count"] == 1


def test_manager_verifies_a_company(manager_client, user):
    make_b2b(user)

    response = manager_client.post(
        f"{COMPANIES}{user.pk}/verify/", {"verified": True}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["company_verified_by"] == "manager@example.com"
    profile = Profile.objects.get(user=user)
    assert profile.company_verified and profile.company_verified_at is not None
    assert email_of(profile.company_verified_by) == "manager@example.com"

    response = manager_client.post(
        f"{COMPANIES}{user.pk}/verify/", {"verified": False}, format="json"
    )
    assert response.status_code == 200
    assert not Profile.objects.get(user=user).company_verified


def test_verify_of_non_b2b_user_is_404(manager_client, user):
    get_profile(user)
    response = manager_client.post(f"{COMPANIES}{user.pk}/verify/", {"verified": True})
    assert response.status_code == 404
    assert manager_client.get(f"{COMPANIES}999999/").status_code == 404


def test_verify_needs_a_boolean(manager_client, user):
    make_b2b(user)
    response = manager_client.post(f"{COMPANIES}{user.pk}/verify/", {}, format="json")
    assert response.status_code == 400
    assert errors(response) == [("verified", "required")]


def test_verify_of_an_incomplete_company_is_400_company_incomplete(manager_client, user):
    profile = make_b2b(user)
    Profile.objects.filter(pk=profile.pk).update(tax_number="")  # data older than the rule

    response = manager_client.post(f"{COMPANIES}{user.pk}/verify/", {"verified": True})

    assert response.status_code == 400
    assert errors(response) == [("tax_number", "company_incomplete")]
    assert not Profile.objects.get(user=user).company_verified


def test_a_page_past_the_last_is_400_invalid_page(manager_client, make_user):
    make_b2b(make_user())
    response = manager_client.get(COMPANIES, {"page": 2})
    assert response.status_code == 400
    assert errors(response) == [("page", "invalid_page")]


def test_company_page_size_comes_from_the_settings(manager_client, make_user, settings):
    settings.SHOP_ACCOUNTS = {"PAGE_SIZE": 2, "MAX_PAGE_SIZE": 3}
    for _ in range(4):
        make_b2b(make_user())
    assert len(manager_client.get(COMPANIES).json()["results"]) == 2
    assert len(manager_client.get(COMPANIES, {"page_size": 100}).json()["results"]) == 3


@pytest.mark.parametrize("method", ["get_list", "get_detail", "verify"])
def test_companies_api_is_403_for_customers(user_client, make_user, method):
    other = make_user()
    make_b2b(other)

    if method == "get_list":
        response = user_client.get(COMPANIES)
    elif method == "get_detail":
        response = user_client.get(f"{COMPANIES}{other.pk}/")
    else:
        response = user_client.post(f"{COMPANIES}{other.pk}/verify/", {"verified": True})

    assert response.status_code == 403
    assert not Profile.objects.get(user=other).company_verified


def test_companies_api_is_401_for_anonymous(api_client):
    assert api_client.get(COMPANIES).status_code == 401


def test_service_refuses_to_verify_b2c_or_incomplete(user):
    profile = get_profile(user)
    with pytest.raises(NotBusinessCustomer) as excinfo:
        set_company_verified(profile=profile, verified=True, by=None)
    assert (excinfo.value.code, excinfo.value.field) == ("not_business", "customer_kind")
    profile.customer_kind = Profile.CustomerKind.B2B
    profile.save()
    with pytest.raises(CompanyIncomplete) as excinfo:
        set_company_verified(profile=profile, verified=True, by=None)
    assert excinfo.value.code == "company_incomplete"
    assert not Profile.objects.get(user=user).company_verified


# --- admin -------------------------------------------------------------------------------


def test_admin_action_verifies_companies(client, make_user, user):
    seed_roles()
    staff = make_user("staff@example.com", role="manager", is_staff=True)
    b2b = make_b2b(user)
    b2c = get_profile(make_user())
    client.force_login(staff)

    response = client.post(
        "/admin/shop_accounts/profile/",
        {"action": "verify_companies", "_selected_action": [b2b.pk, b2c.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert Profile.objects.get(pk=b2b.pk).company_verified
    assert Profile.objects.get(pk=b2b.pk).company_verified_by == staff
    assert not Profile.objects.get(pk=b2c.pk).company_verified
    messages = [str(m) for m in response.context["messages"]]
    assert any("1 profile updated" in m for m in messages)
    assert any("Only a business customer" in m for m in messages)


def test_admin_action_needs_the_permission(client, make_user, user):
    staff = make_user("staff@example.com", is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_profile", "change_profile"])
    )
    b2b = make_b2b(user)
    client.force_login(staff)

    client.post(
        "/admin/shop_accounts/profile/",
        {"action": "verify_companies", "_selected_action": [b2b.pk]},
    )

    assert not Profile.objects.get(pk=b2b.pk).company_verified


def test_admin_pages_render(admin_client, user):
    make_b2b(user)
    for url in (
        "/admin/shop_accounts/profile/",
        f"/admin/shop_accounts/profile/{get_profile(user).pk}/change/",
        "/admin/shop_accounts/deleteduser/",
        "/admin/shop_accounts/outgoingemail/",
        "/admin/shop_accounts/outgoingemail/?sent_at__isnull=True",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_business_profile_is_none_for_private_customers_and_anonymous(user):
    from django.contrib.auth.models import AnonymousUser

    from shop_accounts.selectors import business_profile

    assert business_profile(user) is None
    assert business_profile(AnonymousUser()) is None
    assert business_profile(None) is None


def test_business_profile_of_a_business_customer(user, other_user):
    from dataclasses import FrozenInstanceError

    from shop_accounts.selectors import BusinessProfile, business_profile

    make_b2b(user)
    found = business_profile(user)
    assert found == BusinessProfile(company_name="Sber", inn=SBER, verified=False, kind="b2b")
    assert not found.is_verified_business
    with pytest.raises(FrozenInstanceError):
        found.verified = True

    set_company_verified(profile=get_profile(user), verified=True, by=other_user)
    assert business_profile(user).verified is True
    assert business_profile(user).is_verified_business
