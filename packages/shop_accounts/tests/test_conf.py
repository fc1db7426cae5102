"""The SHOP_ACCOUNTS settings dict and the system checks."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from rest_framework import serializers

from shop_accounts.checks import check_settings
from shop_accounts.conf import DEFAULTS, app_settings
from shop_accounts.serializers import UserSerializer


def test_defaults_apply(settings):
    settings.SHOP_ACCOUNTS = {}
    assert app_settings.DEFAULT_ROLE == "customer"
    assert app_settings.AVATAR_MAX_BYTES == DEFAULTS["AVATAR_MAX_BYTES"]
    assert app_settings.USER_SERIALIZER is UserSerializer  # dotted path imported


def test_unknown_key_raises_naming_it(settings):
    settings.SHOP_ACCOUNTS = {"AVATAR_MAX_BYTE": 1}
    with pytest.raises(ImproperlyConfigured, match="AVATAR_MAX_BYTE"):
        _ = app_settings.DEFAULT_ROLE
    errors = check_settings()
    assert [e.id for e in errors] == ["shop_accounts.E001"]
    assert "AVATAR_MAX_BYTE" in errors[0].msg


def test_not_a_dict_raises(settings):
    settings.SHOP_ACCOUNTS = ["ROLES"]
    with pytest.raises(ImproperlyConfigured, match="must be a dict"):
        _ = app_settings.ROLES


def test_unknown_attribute_is_attribute_error():
    with pytest.raises(AttributeError):
        _ = app_settings.NOPE


def test_override_settings_changes_values_live():
    assert app_settings.AVATAR_MAX_BYTES == DEFAULTS["AVATAR_MAX_BYTES"]
    with override_settings(SHOP_ACCOUNTS={"AVATAR_MAX_BYTES": 10}):
        assert app_settings.AVATAR_MAX_BYTES == 10
    assert app_settings.AVATAR_MAX_BYTES == DEFAULTS["AVATAR_MAX_BYTES"]


def test_bad_import_string_raises(settings):
    settings.SHOP_ACCOUNTS = {"USER_SERIALIZER": "nowhere.Serializer"}
    with pytest.raises(ImproperlyConfigured, match="USER_SERIALIZER"):
        _ = app_settings.USER_SERIALIZER


def test_hook_that_does_not_import_is_a_check_error(settings):
    settings.SHOP_ACCOUNTS = {"USER_SERIALIZER": "nowhere.Serializer"}
    errors = check_settings()
    assert [e.id for e in errors] == ["shop_accounts.E001"]
    assert "USER_SERIALIZER" in errors[0].msg and "nowhere.Serializer" in errors[0].msg


@pytest.mark.django_db  # Django 6.1's model checks ask SQLite whether it supports JSONField
def test_check_is_registered_with_django(settings):
    settings.SHOP_ACCOUNTS = {"DEFAULT_ROLES": "customer"}  # misspelt DEFAULT_ROLE
    errors = [e for e in run_checks() if e.id.startswith("shop_accounts.")]
    assert [e.id for e in errors] == ["shop_accounts.E001"]
    assert "DEFAULT_ROLES" in errors[0].msg


def test_checks_pass_with_test_settings():
    assert check_settings() == []


@pytest.mark.parametrize(
    ("value", "ids"),
    [
        ({"DEFAULT_ROLE": "wizard"}, ["shop_accounts.E002"]),
        ({"REGISTRATION_ROLES": ["wizard", "supplier"]}, ["shop_accounts.E003"]),
        ({"REGISTRATION_ROLES": ["manager"]}, ["shop_accounts.W002"]),
        ({"DEFAULT_ROLE": None}, []),
        ({"ROLES": {"buyer": []}, "DEFAULT_ROLE": "buyer"}, []),
    ],
)
def test_checks_report_roles_not_in_roles(settings, value, ids):
    settings.SHOP_ACCOUNTS = value
    errors = check_settings()
    assert [e.id for e in errors] == ids
    if ids:
        assert ("wizard" if ids[0] != "shop_accounts.W002" else "manager") in errors[0].msg


def test_check_warns_without_the_middleware(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "shop_accounts" not in m]
    assert [e.id for e in check_settings()] == ["shop_accounts.W003"]


def test_check_warns_when_verification_is_optional(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    assert [e.id for e in check_settings()] == ["shop_accounts.W001"]


class ShortUserSerializer(UserSerializer):
    """A swapped-in ``USER_SERIALIZER``: adds a field."""

    greeting = serializers.SerializerMethodField()

    class Meta(UserSerializer.Meta):
        fields = (*UserSerializer.Meta.fields, "greeting")

    def get_greeting(self, user) -> str:
        return f"Hello {getattr(user, user.get_email_field_name())}"


@pytest.mark.django_db
def test_user_serializer_hook_can_be_swapped(user_client, settings):
    assert "greeting" not in user_client.get("/api/v1/accounts/user/").json()

    settings.SHOP_ACCOUNTS = {"USER_SERIALIZER": "tests.test_conf.ShortUserSerializer"}

    assert app_settings.USER_SERIALIZER is ShortUserSerializer
    body = user_client.get("/api/v1/accounts/user/").json()
    assert body["greeting"] == "Hello alice@example.com"
