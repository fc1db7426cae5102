"""A second user can neither read nor change the first user's data."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shop_accounts.models import Profile
from shop_accounts.services import get_profile

from .conftest import APIClient, email_of, png_bytes, user_has_field

pytestmark = pytest.mark.django_db

USER = "/api/v1/accounts/user/"


@pytest.fixture
def bob_client(other_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(other_user)
    return client


def test_user_endpoint_is_always_me(bob_client, user, other_user):
    profile = get_profile(user)
    profile.full_name, profile.phone = "Alice", "+79161234567"
    profile.save()

    body = bob_client.get(USER, {"pk": user.pk}).json()

    assert body["pk"] == other_user.pk and body["email"] == "bob@example.com"
    assert "Alice" not in str(body) and "+79161234567" not in str(body)
    assert bob_client.get(f"{USER}{user.pk}/").status_code == 404


def test_patch_with_another_pk_changes_only_me(bob_client, user, other_user):
    data = {"pk": user.pk, "email": "alice@example.com", "profile": {"city": "Nowhere"}}
    if user_has_field("first_name"):
        data["first_name"] = "Mallory"

    response = bob_client.patch(USER, data, format="json")

    assert response.status_code == 200
    assert response.json()["pk"] == other_user.pk
    user.refresh_from_db()
    other_user.refresh_from_db()
    assert getattr(user, "first_name", "") == "" and get_profile(user).city == ""
    assert get_profile(other_user).city == "Nowhere"
    assert email_of(other_user) == "bob@example.com"


def test_other_users_avatar_is_untouched(user_client, bob_client, user, settings):
    response = user_client.put(
        "/api/v1/accounts/user/avatar/",
        {"avatar": SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")},
        format="multipart",
    )
    assert response.status_code == 200
    alice_avatar = Profile.objects.get(user=user).avatar.name

    bob_client.put(
        "/api/v1/accounts/user/avatar/",
        {"avatar": SimpleUploadedFile("b.png", png_bytes(color="blue"), content_type="image/png")},
        format="multipart",
    )
    bob_client.delete("/api/v1/accounts/user/avatar/")

    assert Profile.objects.get(user=user).avatar.name == alice_avatar


def test_customer_cannot_see_companies(bob_client, user):
    profile = get_profile(user)
    profile.customer_kind, profile.company_name, profile.tax_number = "b2b", "Sber", "7707083893"
    profile.save()

    assert bob_client.get("/api/v1/accounts/companies/").status_code == 403
    assert bob_client.get(f"/api/v1/accounts/companies/{user.pk}/").status_code == 403
