"""System checks: the SHOP_BOOKINGS dict is well formed (``manage.py check`` at start-up).

- ``shop_bookings.E001``: an unknown key, or a hook path that does not import;
- ``shop_bookings.E002``: a number outside its range (``NUMBER_LIMITS``);
- ``shop_bookings.E003``: a ``NOTIFIER`` that is not a class with every event method;
- ``shop_bookings.E004``: a ``DEFAULT_CLIENT_TIME_ZONE`` that is not an IANA zone name.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from .conf import app_settings
from .notifications import NOTIFIER_METHODS
from .validators import parse_time_zone

YEAR_MINUTES = 366 * 24 * 60

# The range each numeric setting must lie in: beyond them date arithmetic
# overflows (a horizon of 10**9 days) or the feature stops making sense.
# Limits that may also be None (no limit).
OPTIONAL_NUMBERS = {"MAX_BOOKINGS_PER_DAY", "MAX_BOOKINGS_PER_WEEK"}
NUMBER_LIMITS: dict[str, tuple[int, int]] = {
    "SLOT_STEP_MINUTES": (1, 24 * 60),
    "MIN_NOTICE_MINUTES": (0, YEAR_MINUTES),
    "HORIZON_DAYS": (1, 3660),
    "MAX_SLOTS_RANGE_DAYS": (1, 366),
    "CLIENT_CHANGE_CUTOFF_MINUTES": (0, YEAR_MINUTES),
    "BUFFER_BEFORE_MINUTES": (0, 24 * 60),
    "BUFFER_AFTER_MINUTES": (0, 24 * 60),
    "MAX_BOOKINGS_PER_DAY": (1, 1000),
    "MAX_BOOKINGS_PER_WEEK": (1, 1000),
    "HOLD_MINUTES": (1, 24 * 60),
    "REMINDER_BEFORE_MINUTES": (0, YEAR_MINUTES),
    "FEED_PAST_DAYS": (0, 3660),
    "PHOTO_MAX_BYTES": (1, 2**31 - 1),
    "PHOTO_MAX_PIXELS": (1, 2**31 - 1),
    "SEND_LEASE_MINUTES": (1, 24 * 60),
    "NOTIFICATION_MAX_ATTEMPTS": (1, 1000),
    "PAGE_SIZE": (1, 1000),
    "MAX_PAGE_SIZE": (1, 1000),
}


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = app_settings.check("shop_bookings.E001")
    if errors:  # reading the values below would raise
        return errors
    return _number_errors() + _notifier_errors() + _zone_errors()


def _number_errors() -> list[Error]:
    errors = []
    for key, (low, high) in NUMBER_LIMITS.items():
        value = getattr(app_settings, key)
        if value is None and key in OPTIONAL_NUMBERS:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors.append(
                Error(
                    f"SHOP_BOOKINGS[{key!r}] must be a whole number from {low} to {high}, "
                    f"not {value!r}.",
                    id="shop_bookings.E002",
                )
            )
    return errors


def _notifier_errors() -> list[Error]:
    """NOTIFIER is None or a class with one method per event (a 0.1 function is not)."""
    notifier = app_settings.NOTIFIER
    if notifier is None:
        return []
    missing = [name for name in NOTIFIER_METHODS if not callable(getattr(notifier, name, None))]
    if isinstance(notifier, type) and not missing:
        return []
    return [
        Error(
            f"SHOP_BOOKINGS['NOTIFIER'] must be a class with the methods "
            f"{', '.join(NOTIFIER_METHODS)}; {notifier!r} lacks {', '.join(missing) or 'a class'}.",
            id="shop_bookings.E003",
        )
    ]


def _zone_errors() -> list[Error]:
    zone = app_settings.DEFAULT_CLIENT_TIME_ZONE
    if zone is None:
        return []
    try:
        parse_time_zone(zone)
    except ValueError:
        return [
            Error(
                f"SHOP_BOOKINGS['DEFAULT_CLIENT_TIME_ZONE'] must be an IANA zone name or None, "
                f"not {zone!r}.",
                id="shop_bookings.E004",
            )
        ]
    return []
