"""The ``SHOP_ACCOUNTS`` settings dict, read live with defaults.

``app_settings.ROLES`` returns the project's value or the default; values
named in ``IMPORT_STRINGS`` are dotted paths imported on first use. The
class behind it is ``shop_core.conf.AppSettings``: ``override_settings``
works, and an unknown key raises ``ImproperlyConfigured`` naming it.
"""

from __future__ import annotations

from typing import Any

from shop_core.conf import AppSettings

SETTINGS_NAME = "SHOP_ACCOUNTS"

DEFAULTS: dict[str, Any] = {
    # Role name -> permissions ("app_label.codename") of its group.
    "ROLES": {
        "customer": [],
        "supplier": [],
        "specialist": [],
        "manager": [
            "shop_accounts.view_profile",
            "shop_accounts.verify_company",
        ],
    },
    # Role given to every new user at registration (None: no role).
    "DEFAULT_ROLE": "customer",
    # Roles a user may ask for when registering, besides the default one.
    "REGISTRATION_ROLES": [],
    # Link sent to verify an e-mail address; "{key}" is replaced. None: the
    # API's own verify-email page. Point it at your front end for an SPA.
    "EMAIL_VERIFICATION_URL": None,
    # Link sent to reset a password; "{uid}" and "{token}" are replaced.
    # None: the API's own reset-confirm page.
    "PASSWORD_RESET_URL": None,
    # Link sent to a new address when a user changes e-mail; "{key}" is
    # replaced. None: EMAIL_VERIFICATION_URL (or the API's own page).
    "EMAIL_CHANGE_URL": None,
    # Redirect URI registered at Google and used by the front end when it
    # posts an authorization "code" (not needed for "access_token").
    "GOOGLE_CALLBACK_URL": None,
    # Uploaded avatars: largest file, largest width x height, Pillow formats.
    "AVATAR_MAX_BYTES": 2 * 1024 * 1024,
    "AVATAR_MAX_PIXELS": 40_000_000,
    "AVATAR_FORMATS": ["JPEG", "PNG", "WEBP", "GIF"],
    # The thumbnail fits in this (width, height) box (JPEG, PNG when transparent).
    "AVATAR_THUMBNAIL_SIZE": (128, 128),
    # Serializer of GET/PUT/PATCH .../user/ (dotted path; subclass
    # shop_accounts.serializers.UserSerializer to add fields).
    "USER_SERIALIZER": "shop_accounts.serializers.UserSerializer",
    # Django tasks backend alias that e-mails are delivered through.
    "TASK_BACKEND": "default",
    # A queued e-mail whose sending failed this many times is no longer
    # retried by send_pending_emails (it stays in the admin to look at).
    "EMAIL_MAX_ATTEMPTS": 10,
    # Two-factor login (allauth.mfa installed): seconds a "second step pending"
    # ticket lives after the password, and a TOTP setup ticket before activation.
    "MFA_LOGIN_TIMEOUT": 300,
    "MFA_SETUP_TIMEOUT": 600,
    # Sign-ins (sessions/): a request writes its sign-in's last-used time at most
    # once in this many seconds.
    "LOGIN_RECORD_TOUCH_INTERVAL": 60,
    # Leaving the shop: where the deletion answer sends the user to export their
    # data first. A URL name (reversed) or an absolute URL; None: no offer. The
    # default is the cabinet's export, offered only when shop_cabinet is installed.
    "DATA_EXPORT_URL": "shop_cabinet:export",
    # The managers' list of companies: page size, and the most ?page_size= may ask.
    "PAGE_SIZE": 50,
    "MAX_PAGE_SIZE": 200,
}

IMPORT_STRINGS = {"USER_SERIALIZER"}

app_settings = AppSettings(SETTINGS_NAME, DEFAULTS, IMPORT_STRINGS)
