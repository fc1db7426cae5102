"""System checks: the settings shop_accounts relies on."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .conf import app_settings


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list:
    errors: list = []
    try:
        app_settings.user_settings()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="shop_accounts.E001")]
    roles = app_settings.ROLES
    for key in ("DEFAULT_ROLE",):
        value = getattr(app_settings, key)
        if value is not None and value not in roles:
            errors.append(
                Error(f"SHOP_ACCOUNTS[{key!r}] = {value!r} is not one of ROLES.", id="shop_accounts.E002")
            )
    for role in app_settings.REGISTRATION_ROLES:
        if role not in roles:
            errors.append(
                Error(
                    f"SHOP_ACCOUNTS['REGISTRATION_ROLES'] names {role!r}, which is not one of ROLES.",
                    id="shop_accounts.E002",
                )
            )
    if getattr(settings, "ACCOUNT_EMAIL_VERIFICATION", None) != "mandatory":
        errors.append(
            Warning(
                "ACCOUNT_EMAIL_VERIFICATION is not 'mandatory': unverified users can log in.",
                hint="Set ACCOUNT_EMAIL_VERIFICATION = 'mandatory'.",
                id="shop_accounts.W001",
            )
        )
    return errors
