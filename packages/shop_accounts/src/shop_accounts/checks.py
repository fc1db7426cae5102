"""System checks: the settings shop_accounts relies on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from .conf import app_settings

MIDDLEWARE = "shop_accounts.middleware.RequestUserMiddleware"


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``SHOP_ACCOUNTS`` itself, its roles, and the settings the package relies on."""
    errors: list[CheckMessage] = list(app_settings.check("shop_accounts.E001"))
    if errors:
        return errors
    return [*_role_problems(), *_host_warnings()]


def _role_problems() -> list[CheckMessage]:
    roles = app_settings.ROLES
    default = app_settings.DEFAULT_ROLE
    problems: list[CheckMessage] = []
    if default is not None and default not in roles:
        problems.append(
            Error(
                f"SHOP_ACCOUNTS['DEFAULT_ROLE'] = {default!r} is not one of ROLES.",
                id="shop_accounts.E002",
            )
        )
    for role in app_settings.REGISTRATION_ROLES:
        if role not in roles:
            problems.append(
                Error(
                    f"SHOP_ACCOUNTS['REGISTRATION_ROLES'] names {role!r}, "
                    "which is not one of ROLES.",
                    id="shop_accounts.E003",
                )
            )
        elif roles[role]:
            problems.append(
                Warning(
                    f"SHOP_ACCOUNTS['REGISTRATION_ROLES'] lets anyone who registers take "
                    f"{role!r}, which grants permissions.",
                    id="shop_accounts.W002",
                )
            )
    return problems


def _host_warnings() -> list[CheckMessage]:
    warnings: list[CheckMessage] = []
    if getattr(settings, "ACCOUNT_EMAIL_VERIFICATION", None) != "mandatory":
        warnings.append(
            Warning(
                "ACCOUNT_EMAIL_VERIFICATION is not 'mandatory': unverified users can log in.",
                hint="Set ACCOUNT_EMAIL_VERIFICATION = 'mandatory'.",
                id="shop_accounts.W001",
            )
        )
    if MIDDLEWARE not in getattr(settings, "MIDDLEWARE", []):
        warnings.append(
            Warning(
                f"{MIDDLEWARE} is not in MIDDLEWARE: deleted users' audit records "
                "will not say who deleted them.",
                hint="Add it after AuthenticationMiddleware.",
                id="shop_accounts.W003",
            )
        )
    return warnings
