"""System checks: the SHOP_ORDERS dict is well formed."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from .conf import app_settings
from .models import Order, Status

# The largest value each numeric setting may take (what the columns hold).
NUMBER_LIMITS = {
    "IDEMPOTENCY_KEY_MAX_LENGTH": Order._meta.get_field("idempotency_key").max_length,
    "MAX_LINE_QUANTITY": 2**31 - 1,
    "NOTIFICATION_MAX_ATTEMPTS": 1000,
}


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = app_settings.check("shop_orders.E001")
    if errors:  # the rest reads the settings, which would raise
        return errors
    return [*_transition_errors(), *_number_errors()]


def _transition_errors() -> list[Error]:
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


def _number_errors() -> list[Error]:
    errors = []
    for key, limit in NUMBER_LIMITS.items():
        value = getattr(app_settings, key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limit:
            errors.append(
                Error(
                    f"SHOP_ORDERS[{key!r}] must be a whole number from 1 to {limit}.",
                    id="shop_orders.E004",
                )
            )
    return errors
