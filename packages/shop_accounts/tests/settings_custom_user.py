"""shop_accounts with a custom user model (``AbstractBaseUser``) that logs in by
e-mail, names its e-mail field ``contact_email`` and has no username
(``pytest --ds=tests.settings_custom_user``)."""

from .settings import *  # noqa: F403
from .settings import AUTH_PASSWORD_VALIDATORS, INSTALLED_APPS, REST_AUTH

# This run also proves the package without a second factor (allauth.mfa not installed).
INSTALLED_APPS = [*(app for app in INSTALLED_APPS if app != "allauth.mfa"), "tests.custom_user"]
AUTH_USER_MODEL = "custom_user.EmailUser"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_USER_MODEL_EMAIL_FIELD = "contact_email"
# A host that forgot it: the password change must still require the old password.
REST_AUTH = {**REST_AUTH, "OLD_PASSWORD_FIELD_ENABLED": False}
# Django's similarity validator compares with "email" by default: name the model's field.
AUTH_PASSWORD_VALIDATORS = [
    {**rule, "OPTIONS": {"user_attributes": ["contact_email"]}}
    if rule["NAME"].endswith("UserAttributeSimilarityValidator")
    else rule
    for rule in AUTH_PASSWORD_VALIDATORS
]
