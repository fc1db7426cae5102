"""The ``SHOP_ORDERS`` settings dict: defaults and the hooks imported lazily.

``app_settings.STATUS_TRANSITIONS`` returns the project's value or the
default (``shop_core.conf.AppSettings``: read live, unknown keys and hooks
that do not import are system-check errors).
"""

from __future__ import annotations

from typing import Any

from shop_core.conf import AppSettings

SETTINGS_NAME = "SHOP_ORDERS"

DEFAULTS: dict[str, Any] = {
    # Status -> statuses it may move to. The statuses themselves are fixed
    # (``Order.Status``); which moves are allowed is the project's choice.
    "STATUS_TRANSITIONS": {
        "new": ["confirmed", "canceled"],
        "confirmed": ["assembled", "canceled"],
        "assembled": ["sent"],
        "sent": ["delivered"],
        "delivered": [],
        "canceled": [],
    },
    # Statuses from which the customer may cancel an order (every part of it).
    "CUSTOMER_CANCEL_STATUSES": ["new", "confirmed"],
    # Dotted path to ``callable(user, address_id) -> dict`` of address fields
    # (recipient, phone, city, street, building, apartment, postal_code); it
    # raises LookupError / ObjectDoesNotExist / ValidationError for an id the
    # user may not use. None: checkout accepts inline addresses only.
    "ADDRESS_RESOLVER": None,
    # Dotted path to the notifier class (see shop_orders.notifications).
    # None: send nothing.
    "NOTIFIER": "shop_orders.notifications.EmailNotifier",
    # Task backend alias the notification tasks are enqueued on.
    "TASK_BACKEND": "default",
    "PAGE_SIZE": 20,
    "MAX_PAGE_SIZE": 100,
    # Longest accepted Idempotency-Key header.
    "IDEMPOTENCY_KEY_MAX_LENGTH": 255,
    # Most units of one offer a cart line (and so an order line) may hold.
    "MAX_LINE_QUANTITY": 10_000,
    # Attempts to deliver one notification before it is left for the admin.
    "NOTIFICATION_MAX_ATTEMPTS": 8,
}

IMPORT_STRINGS = {"ADDRESS_RESOLVER", "NOTIFIER"}


app_settings = AppSettings(SETTINGS_NAME, DEFAULTS, IMPORT_STRINGS)
