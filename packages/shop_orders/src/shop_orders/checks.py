"""System checks: the SHOP_ORDERS dict is well formed."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from .conf import app_settings
from .models import Status


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        app_settings.user_settings()
        # Import the hooks now so a typo fails at start-up, not at checkout.
        app_settings.ADDRESS_RESOLVER  # noqa: B018
        app_settings.NOTIFIER  # noqa: B018
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="shop_orders.E001")]
    errors: list[Error] = []
    known = set(Status.values)
    transitions = app_settings.STATUS_TRANSITIONS
    for source, targets in transitions.items():
        for status in [source, *targets]:
            if status not in known:
                errors.append(
                    Error(
                        f"SHOP_ORDERS['STATUS_TRANSITIONS'] names unknown status {status!r}.",
                        hint=f"Known statuses: {', '.join(Status.values)}.",
                        id="shop_orders.E002",
                    )
                )
    for status in app_settings.CUSTOMER_CANCEL_STATUSES:
        if Status.CANCELED not in transitions.get(status, []):
            errors.append(
                Error(
                    f"SHOP_ORDERS['CUSTOMER_CANCEL_STATUSES'] names {status!r}, "
                    "from which STATUS_TRANSITIONS does not allow 'canceled'.",
                    id="shop_orders.E003",
                )
            )
    return errors
