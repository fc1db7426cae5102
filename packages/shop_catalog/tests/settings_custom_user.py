"""The package's settings with a custom user model built on ``AbstractBaseUser`` whose
e-mail field is ``mail`` and login field ``login`` (``tests.custom_user``).

``pytest --ds=tests.settings_custom_user``
"""

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.custom_user"]
AUTH_USER_MODEL = "custom_user.Account"
