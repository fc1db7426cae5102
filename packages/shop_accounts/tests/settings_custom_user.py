"""shop_accounts with a custom user model that logs in by e-mail and has no
username (``pytest --ds=tests.settings_custom_user``)."""

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS, REST_AUTH

INSTALLED_APPS = [*INSTALLED_APPS, "tests.custom_user"]
AUTH_USER_MODEL = "custom_user.EmailUser"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# A host that forgot it: the password change must still require the old password.
REST_AUTH = {**REST_AUTH, "OLD_PASSWORD_FIELD_ENABLED": False}
