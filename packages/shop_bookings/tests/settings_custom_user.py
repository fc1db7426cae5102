"""shop_bookings with a custom user model: ``login`` handle, e-mail in
``contact_email``, no username or names (``pytest --ds=tests.settings_custom_user``)."""

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.custom_user"]
AUTH_USER_MODEL = "custom_user.Member"
