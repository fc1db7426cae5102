"""The site's own settings, with what a test run needs set first."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")

from example_site.settings import *  # noqa: E402,F403
from example_site.settings import DATABASES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
else:
    DATABASES["default"]["TEST"] = {"NAME": "test_shop_site"}
# The site under test is the demo site (tests turn it off where it matters).
DEMO_MODE = True
