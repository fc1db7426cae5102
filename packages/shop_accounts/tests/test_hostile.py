"""Hostile input on every write endpoint: a 4xx, never a 5xx, and nothing written.

For each endpoint that takes a body: JSON nested 1000 deep, a 100,000-character
string in each text field, overflowing and non-finite numbers where numbers or
digits are expected. The package takes no date or datetime input, so there
are no date cases. Other scripts' digits are normalised where digits are
expected (phone, INN) and refused in ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import responses
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import get_resolver

from shop_accounts.models import OutgoingEmail, Profile
from shop_accounts.services import get_profile, seed_roles
from shop_core.testing import HOSTILE_NUMBERS, nested_json
from shop_core.views import ShopAPIMixin

from .conftest import PASSWORD, APIClient, errors, user_has_field

pytestmark = pytest.mark.django_db

LONG = "a" * 100_000
SBER = "7707083893"


@dataclass
class Endpoint:
    method: str
    path: str  # "{company}" is replaced by the B2B user's id
    who: str  # "anonymous", "user" or "manager"
    body: dict[str, Any]  # a plausible body the hostile values are put into
    texts: list[tuple[str, ...]] = field(default_factory=list)  # paths of text fields
    numbers: list[tuple[str, ...]] = field(default_factory=list)  # numbers or digits expected
    jwt: bool = False  # True: exists in the JWT run only


def _password_body(**extra: Any) -> dict[str, Any]:
    return {"new_password1": "Another-Horse-77", "new_password2": "Another-Horse-77", **extra}


def _profile_texts() -> list[tuple[str, ...]]:
    names = [("first_name",), ("last_name",)] if user_has_field("first_name") else []
    profile = ("full_name", "phone", "city", "bio", "customer_kind", "company_name", "tax_number")
    return [*names, *(("profile", name) for name in profile)]


ENDPOINTS: dict[str, Endpoint] = {
    "login": Endpoint(
        "post",
        "login/",
        "anonymous",
        {"email": "alice@example.com", "password": "wrong"},
        [("email",), ("password",)],
    ),
    "logout (JWT)": Endpoint("post", "logout/", "user", {"refresh": "x"}, [("refresh",)], jwt=True),
    "user PATCH": Endpoint(
        "patch",
        "user/",
        "user",
        {"profile": {"city": "Kazan"}},
        _profile_texts(),
        [("profile", "phone"), ("profile", "tax_number"), ("profile", "customer_kind")],
    ),
    "user PUT": Endpoint("put", "user/", "user", {"profile": {"city": "Kazan"}}, _profile_texts()),
    "password change": Endpoint(
        "post",
        "password/change/",
        "user",
        _password_body(old_password=PASSWORD),
        [("old_password",), ("new_password1",), ("new_password2",)],
    ),
    "password reset": Endpoint(
        "post", "password/reset/", "anonymous", {"email": "alice@example.com"}, [("email",)]
    ),
    "password reset confirm": Endpoint(
        "post",
        "password/reset/confirm/",
        "anonymous",
        _password_body(uid="1", token="bad-token"),
        [("uid",), ("token",), ("new_password1",), ("new_password2",)],
        [("uid",)],
    ),
    "registration": Endpoint(
        "post",
        "registration/",
        "anonymous",
        {
            "email": "new@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": "supplier",
            "customer_kind": "b2b",
            "company_name": "Sber",
            "tax_number": SBER,
        },
        [
            ("email",),
            ("password1",),
            ("password2",),
            ("role",),
            ("customer_kind",),
            ("company_name",),
            ("tax_number",),
        ],
        [("tax_number",), ("customer_kind",), ("role",)],
    ),
    "verify e-mail": Endpoint(
        "post", "registration/verify-email/", "anonymous", {"key": "x"}, [("key",)]
    ),
    "resend e-mail": Endpoint(
        "post",
        "registration/resend-email/",
        "anonymous",
        {"email": "nobody@example.com"},
        [("email",)],
    ),
    "google": Endpoint(
        "post",
        "google/",
        "anonymous",
        {"access_token": "x"},
        [("access_token",), ("code",), ("id_token",)],
    ),
    "company verify": Endpoint(
        "post",
        "companies/{company}/verify/",
        "manager",
        {"verified": "maybe"},
        [("verified",)],
        [("verified",)],
    ),
    "token refresh": Endpoint(
        "post", "token/refresh/", "anonymous", {"refresh": "x"}, [("refresh",)], jwt=True
    ),
    "token verify": Endpoint(
        "post", "token/verify/", "anonymous", {"token": "x"}, [("token",)], jwt=True
    ),
}


def marks(name: str) -> Any:
    """JWT-only endpoints run in the JWT run (conftest skips the others there)."""
    return [pytest.mark.jwt] if ENDPOINTS[name].jwt else []


def endpoint_cases() -> list[Any]:
    return [pytest.param(name, id=name, marks=marks(name)) for name in ENDPOINTS]


def cases(kind: str) -> list[Any]:
    return [
        pytest.param(name, path, id=f"{name}:{'.'.join(path)}", marks=marks(name))
        for name in ENDPOINTS
        for path in getattr(ENDPOINTS[name], kind)
    ]


@pytest.fixture
def world(make_user: Callable[..., Any]) -> dict[str, Any]:
    """Alice (the user), a manager, and a business customer awaiting verification."""
    seed_roles()
    alice = make_user("alice@example.com")
    manager = make_user("manager@example.com", role="manager")
    company = make_user("company@example.com")
    profile = get_profile(company)
    profile.customer_kind, profile.company_name, profile.tax_number = "b2b", "Sber", SBER
    profile.save()
    return {"user": alice, "manager": manager, "company": company}


def client_for(endpoint: Endpoint, world: dict[str, Any]) -> APIClient:
    client = APIClient()
    if endpoint.who != "anonymous":
        client.force_authenticate(world[endpoint.who])
    return client


def url_of(endpoint: Endpoint, world: dict[str, Any]) -> str:
    return "/api/v1/accounts/" + endpoint.path.format(company=world["company"].pk)


def with_value(body: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``body`` with the field at ``path`` set to ``value``."""
    head, *rest = path
    copy = dict(body)
    copy[head] = with_value(copy.get(head, {}), tuple(rest), value) if rest else value
    return copy


def database() -> dict[str, Any]:
    """Everything the endpoints could write, to compare before and after."""
    user_model = get_user_model()
    state: dict[str, Any] = {
        "users": sorted(user_model._default_manager.values_list("pk", "password", "is_active")),
        "emails": sorted(EmailAddress.objects.values_list("email", "verified")),
        "profiles": sorted(
            Profile.objects.values_list(*(f.attname for f in Profile._meta.concrete_fields))
        ),
        "memberships": user_model.groups.through.objects.count(),
        "groups": Group.objects.count(),
        "social": SocialAccount.objects.count(),
        "outbox": OutgoingEmail.objects.count(),
    }
    if apps.is_installed("rest_framework.authtoken"):
        from rest_framework.authtoken.models import Token

        state["tokens"] = sorted(Token.objects.values_list("key", flat=True))
    if apps.is_installed("rest_framework_simplejwt.token_blacklist"):
        from rest_framework_simplejwt.token_blacklist.models import (
            BlacklistedToken,
            OutstandingToken,
        )

        state["jwt"] = (OutstandingToken.objects.count(), BlacklistedToken.objects.count())
    return state


def send(endpoint: Endpoint, world: dict[str, Any], **kwargs: Any) -> Any:
    client = client_for(endpoint, world)
    with responses.RequestsMock():  # any request to Google would fail the test
        return getattr(client, endpoint.method)(url_of(endpoint, world), **kwargs)


def assert_refused_and_nothing_written(
    endpoint: Endpoint, world: dict[str, Any], **kwargs: Any
) -> Any:
    before = database()
    response = send(endpoint, world, **kwargs)
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert database() == before
    assert errors(response) and all(code for _attr, code in errors(response))  # the convention
    return response


@pytest.mark.parametrize("name", endpoint_cases())
def test_nested_json_is_400_too_deep(world, name):
    endpoint = ENDPOINTS[name]

    response = assert_refused_and_nothing_written(
        endpoint, world, data=nested_json(1000), content_type="application/json"
    )

    assert response.status_code == 400
    assert [code for _attr, code in errors(response)] == ["too_deep"]


@pytest.mark.parametrize(("name", "path"), cases("texts"))
def test_100k_characters_in_a_text_field(world, name, path):
    endpoint = ENDPOINTS[name]
    body = with_value(endpoint.body, path, LONG)
    assert_refused_and_nothing_written(endpoint, world, data=body, format="json")


def number_cases() -> list[Any]:
    return [
        pytest.param(*case.values, number, id=f"{case.id}={number!r}", marks=case.marks)
        for case in cases("numbers")
        for number in HOSTILE_NUMBERS
        if not (case.values[1] == ("verified",) and number == 0)  # 0 is DRF's false
    ]


@pytest.mark.parametrize(("name", "path", "number"), number_cases())
def test_hostile_numbers_where_numbers_or_digits_are_expected(world, name, path, number):
    endpoint = ENDPOINTS[name]
    body = with_value(endpoint.body, path, number)
    assert_refused_and_nothing_written(endpoint, world, data=body, format="json")


@pytest.mark.parametrize(
    "company_id", ["99999999999999999999", "-1", "1e400", "NaN", "٣", "１"], ids=repr
)
def test_hostile_ids_in_the_path_are_404(world, company_id):
    endpoint = ENDPOINTS["company verify"]
    before = database()
    client = client_for(endpoint, world)

    response = client.post(f"/api/v1/accounts/companies/{company_id}/verify/", {"verified": True})

    assert response.status_code == 404
    assert database() == before


@pytest.mark.parametrize(
    "uid", ["zzzzzzzzzzzzzzzzzzzzzzzzz", "٣", "-1", "1" * 5000], ids=lambda v: f"len{len(v)}"
)
def test_hostile_uids_in_a_reset_are_400(world, uid):
    endpoint = ENDPOINTS["password reset confirm"]
    response = assert_refused_and_nothing_written(
        endpoint, world, data=with_value(endpoint.body, ("uid",), uid), format="json"
    )
    assert response.status_code == 400


def test_avatar_upload_takes_no_json(world):
    """The avatar endpoint parses multipart only: a JSON body is 415, nested or not."""
    client = APIClient()
    client.force_authenticate(world["user"])
    before = database()

    response = client.put(
        "/api/v1/accounts/user/avatar/", data=nested_json(1000), content_type="application/json"
    )

    assert response.status_code == 415
    assert errors(response) == [(None, "unsupported_media_type")]
    assert database() == before


def test_avatar_upload_with_a_long_string_instead_of_a_file(world):
    client = APIClient()
    client.force_authenticate(world["user"])
    before = database()

    response = client.put("/api/v1/accounts/user/avatar/", {"avatar": LONG}, format="multipart")

    assert response.status_code == 400
    assert errors(response) == [("avatar", "invalid")]
    assert database() == before


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("+٧٩١٦١٢٣٤٥٦٧", "+79161234567"), ("+७९१६१२३४५६७", "+79161234567")],
    ids=["arabic-indic", "devanagari"],
)
def test_phone_digits_of_other_scripts_are_stored_as_ascii(world, typed, stored):
    client = APIClient()
    client.force_authenticate(world["user"])

    response = client.patch("/api/v1/accounts/user/", {"profile": {"phone": typed}}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["profile"]["phone"] == stored
    assert str(get_profile(world["user"]).phone) == stored


def test_inn_digits_of_other_scripts_are_stored_as_ascii(world):
    client = APIClient()
    client.force_authenticate(world["user"])
    profile = {"customer_kind": "b2b", "company_name": "Sber", "tax_number": "٧٧٠٧٠٨٣٨٩٣"}

    response = client.patch("/api/v1/accounts/user/", {"profile": profile}, format="json")

    assert response.status_code == 200, response.content
    assert get_profile(world["user"]).tax_number == SBER


@pytest.mark.parametrize("run", ["token", pytest.param("jwt", marks=pytest.mark.jwt)])
def test_every_route_is_depth_safe_and_answers_the_one_convention(run):
    """No route of the package is left without ShopAPIMixin (JWT adds two)."""
    patterns = get_resolver().url_patterns
    accounts = next(p for p in patterns if getattr(p, "namespace", None) == "shop_accounts")
    views = {p.callback.cls for p in accounts.url_patterns}
    assert views and all(issubclass(view, ShopAPIMixin) for view in views), views
