import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from shop_core.conf import AppSettings

app_settings = AppSettings(
    "SHOP_CORE_TEST", {"SIZE": 10, "HOOK": "json.dumps"}, import_strings={"HOOK"}
)


def test_defaults_and_imported_hooks():
    import json

    assert app_settings.SIZE == 10
    assert app_settings.HOOK is json.dumps


def test_override_settings_is_read_live():
    assert app_settings.SIZE == 10
    with override_settings(SHOP_CORE_TEST={"SIZE": 3}):
        assert app_settings.SIZE == 3
    assert app_settings.SIZE == 10


def test_unknown_key_names_it():
    with override_settings(SHOP_CORE_TEST={"SIZ": 3}):
        with pytest.raises(ImproperlyConfigured, match="SIZ"):
            app_settings.SIZE  # noqa: B018
        [error] = app_settings.check("shop_core.E001")
    assert "SIZ" in error.msg
    assert error.id == "shop_core.E001"


def test_hook_that_does_not_import_is_a_check_error():
    with override_settings(SHOP_CORE_TEST={"HOOK": "nowhere.at_all"}):
        [error] = app_settings.check("shop_core.E001")
    assert "nowhere.at_all" in error.msg


def test_well_formed_settings_pass_the_check():
    assert app_settings.check("shop_core.E001") == []


def test_unknown_attribute():
    with pytest.raises(AttributeError):
        app_settings.NOPE  # noqa: B018
