"""The minimum settings to test shop_core."""

SECRET_KEY = "tests-only-not-secret"
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
ROOT_URLCONF = "tests.urls"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "shop_core",
]
SHOP_CORE_TEST = {}
