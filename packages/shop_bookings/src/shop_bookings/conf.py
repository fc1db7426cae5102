"""The ``SHOP_BOOKINGS`` settings dict, read live with defaults.

``app_settings.SLOT_STEP_MINUTES`` returns the project's value or the default;
values named in ``IMPORT_STRINGS`` are dotted paths imported on first use.
The class behind it is ``shop_core.conf.AppSettings``: the cache is dropped
on ``setting_changed`` (``override_settings`` works), an unknown key raises
``ImproperlyConfigured`` naming it, and ``checks.py`` reports the same
problems at start-up.
"""

from __future__ import annotations

from typing import Any

from shop_core.conf import AppSettings

SETTINGS_NAME = "SHOP_BOOKINGS"

DEFAULTS: dict[str, Any] = {
    # Name of the auth group whose members are specialists (used by the
    # default IS_SPECIALIST hook).
    "SPECIALIST_GROUP": "specialist",
    # Hook: callable(user) -> bool, "may this user act as a specialist?".
    "IS_SPECIALIST": "shop_bookings.permissions.is_specialist",
    # Free slots start every SLOT_STEP_MINUTES from the start of a working
    # interval (wall-clock grid in the specialist's time zone).
    "SLOT_STEP_MINUTES": 15,
    # A booking must start at least this long after "now" (real time).
    "MIN_NOTICE_MINUTES": 120,
    # ... and at most this many days after "now".
    "HORIZON_DAYS": 60,
    # Longest from..to window the slots endpoint accepts.
    "MAX_SLOTS_RANGE_DAYS": 31,
    # A client may cancel or reschedule until this long before the start.
    "CLIENT_CHANGE_CUTOFF_MINUTES": 24 * 60,
    # Preparation and clean-up around each appointment, inside working hours
    # (a service's own buffer fields win over these).
    "BUFFER_BEFORE_MINUTES": 0,
    "BUFFER_AFTER_MINUTES": 0,
    # Active bookings (and live holds) one client may have of one service per
    # local day / ISO week of the specialist; None: no limit.
    "MAX_BOOKINGS_PER_DAY": None,
    "MAX_BOOKINGS_PER_WEEK": None,
    # How long POST holds/ keeps a slot for its client.
    "HOLD_MINUTES": 10,
    # Zone of a client's notices when the booking request names none; None:
    # the specialist's zone.
    "DEFAULT_CLIENT_TIME_ZONE": None,
    # Hook: dotted path to a class called when a priced booking is created or
    # canceled (services/payment.py); None: bookings are not paid through orders.
    "ORDER_HOOK": None,
    # A reminder goes out this long before the start.
    "REMINDER_BEFORE_MINUTES": 24 * 60,
    # Hook: dotted path to the notifier class, instantiated without arguments by
    # the notification task; one method per event (notifications.py). None: none.
    "NOTIFIER": "shop_bookings.notifications.EmailNotifier",
    # The Django tasks backend alias used for notifications and reminders.
    "TASK_BACKEND": "default",
    "PHOTO_MAX_BYTES": 5 * 1024 * 1024,
    "PHOTO_MAX_PIXELS": 40_000_000,
    "PHOTO_FORMATS": ["JPEG", "PNG", "WEBP"],
    "PHOTO_THUMBNAIL_SIZE": (256, 256),
    # The ICS feed holds bookings that ended at most this many days ago.
    "FEED_PAST_DAYS": 90,
    # PRODID and UID domain of the ICS feeds.
    "FEED_DOMAIN": "shop-bookings.invalid",
    # A reminder or notification being sent is claimed for this long: a sender
    # that dies mid-way frees it after the lease. Longer than the slowest send.
    "SEND_LEASE_MINUTES": 10,
    # A notification (or reminder) that failed this many times is no longer retried.
    "NOTIFICATION_MAX_ATTEMPTS": 8,
    # Page size of every list, and the most ?page_size= may ask for.
    "PAGE_SIZE": 20,
    "MAX_PAGE_SIZE": 100,
}

IMPORT_STRINGS = {"IS_SPECIALIST", "NOTIFIER", "ORDER_HOOK"}

app_settings = AppSettings(SETTINGS_NAME, DEFAULTS, IMPORT_STRINGS)
