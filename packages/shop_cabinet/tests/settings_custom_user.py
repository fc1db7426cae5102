"""shop_cabinet with a custom user model built on ``AbstractBaseUser`` whose name and
e-mail fields are called ``login`` and ``contact_email`` (``tests.custom_user``):
``pytest --ds=tests.settings_custom_user``. Nothing of the cabinet may assume
``username``, ``email`` or ``get_full_name()``."""

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS[:-1], "tests.custom_user", INSTALLED_APPS[-1]]
AUTH_USER_MODEL = "custom_user.Member"
