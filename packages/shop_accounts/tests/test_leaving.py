"""Leaving the shop: self-service deletion through ``user/delete/``."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from shop_accounts.models import DeletedUser, Profile
from shop_accounts.services import get_profile, set_avatar
from shop_core.signals import erasing_personal_data

from .conftest import PASSWORD, errors, png_bytes

pytestmark = pytest.mark.django_db

DELETE = "/api/v1/accounts/user/delete/"
MFA = apps.is_installed("allauth.mfa")


def exists(user: Any) -> bool:
    return get_user_model()._default_manager.filter(pk=user.pk).exists()


@pytest.fixture
def erased() -> Any:
    """The users ``erasing_personal_data`` was sent for, and whether each still existed."""
    seen: list[tuple[Any, bool]] = []

    def receiver(sender: Any, user: Any, **kwargs: Any) -> None:
        seen.append((user.pk, exists(user)))

    erasing_personal_data.connect(receiver, dispatch_uid="test_leaving")
    yield seen
    erasing_personal_data.disconnect(dispatch_uid="test_leaving")


def test_offer_without_cabinet_has_no_export(user_client):
    body = user_client.get(DELETE).json()
    assert body == {"data_export_url": None, "code_required": False}


def test_offer_names_the_export_of_an_installed_app(user_client, settings):
    # Any installed app's URL name works; the default is the cabinet's export.
    settings.SHOP_ACCOUNTS = {**settings.SHOP_ACCOUNTS, "DATA_EXPORT_URL": "shop_accounts:user"}
    body = user_client.get(DELETE).json()
    assert body["data_export_url"] == "http://testserver/api/v1/accounts/user/"


def test_leaving_erases_everything_and_is_audited(user_client, user, erased):
    pk = user.pk
    profile = set_avatar(
        profile=get_profile(user), file=SimpleUploadedFile("a.png", png_bytes(), "image/png")
    )
    files = [profile.avatar.path, profile.avatar_thumbnail.path]
    assert all(os.path.exists(path) for path in files)

    response = user_client.post(DELETE, {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert erased == [(pk, True)]  # sent before the user row went
    assert not exists(user) and not Profile.objects.filter(user_id=pk).exists()
    record = DeletedUser.objects.get()
    assert (record.user_pk, record.deleted_by_pk) == (str(pk), str(pk))  # by themself
    assert not any(os.path.exists(path) for path in files)


def test_wrong_password_deletes_nothing(user_client, user, erased):
    response = user_client.post(DELETE, {"password": "wrong"}, format="json")
    assert response.status_code == 400
    assert errors(response) == [("password", "password_incorrect")]
    assert exists(user) and erased == [] and not DeletedUser.objects.exists()


def test_a_receiver_that_raises_deletes_nothing(user_client, user):
    def refuse(sender: Any, user: Any, **kwargs: Any) -> None:
        Profile.objects.filter(user=user).update(full_name="anonymised")
        raise RuntimeError("orders could not be anonymised")

    erasing_personal_data.connect(refuse, dispatch_uid="test_refuse")
    try:
        with pytest.raises(RuntimeError):
            user_client.post(DELETE, {"password": PASSWORD}, format="json")
    finally:
        erasing_personal_data.disconnect(dispatch_uid="test_refuse")
    assert exists(user) and not DeletedUser.objects.exists()
    assert get_profile(user).full_name == ""  # the receiver's write rolled back too


def test_only_the_caller_leaves(user_client, user, other_user):
    user_client.post(DELETE, {"password": PASSWORD}, format="json")
    assert exists(other_user) and not exists(user)


def test_anonymous_cannot_delete(api_client):
    assert api_client.post(DELETE, {"password": PASSWORD}, format="json").status_code in (401, 403)


@pytest.mark.skipif(not MFA, reason="allauth.mfa not installed")
def test_with_a_second_factor_the_code_is_needed(user_client, user):
    from .test_mfa import at, code_at, enable_totp

    secret, codes = enable_totp(user_client)
    assert user_client.get(DELETE).json()["code_required"] is True
    with at(31):
        missing = user_client.post(DELETE, {"password": PASSWORD}, format="json")
        wrong = user_client.post(DELETE, {"password": PASSWORD, "code": "000000"}, format="json")
        assert errors(missing) == [("code", "code_required")]
        assert errors(wrong) == [("code", "invalid_code")]
        assert exists(user)
        response = user_client.post(
            DELETE, {"password": PASSWORD, "code": code_at(secret, 31)}, format="json"
        )
    assert response.status_code == 204 and not exists(user)


def test_a_user_another_package_protects_is_kept_whole(user_client, user, erased):
    from tests.protector.models import Holding

    def anonymise(sender: Any, user: Any, **kwargs: Any) -> None:
        Profile.objects.filter(user=user).update(full_name="anonymised")

    get_profile(user)
    Profile.objects.filter(user=user).update(full_name="Alice")
    Holding.objects.create(user=user)
    erasing_personal_data.connect(anonymise, dispatch_uid="test_protected")
    try:
        response = user_client.post(DELETE, {"password": PASSWORD}, format="json")
    finally:
        erasing_personal_data.disconnect(dispatch_uid="test_protected")

    assert response.status_code == 409
    assert errors(response) == [(None, "account_in_use")]
    assert exists(user) and not DeletedUser.objects.exists()
    assert get_profile(user).full_name == "Alice"  # the receivers' writes rolled back
    assert erased == [(user.pk, True)]

    Holding.objects.filter(user=user).delete()  # once released, leaving works
    assert user_client.post(DELETE, {"password": PASSWORD}, format="json").status_code == 204
