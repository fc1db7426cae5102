"""The minimum settings to test shop_core."""

import os

import dj_database_url

SECRET_KEY = "tests-only-not-secret"
USE_TZ = True
USE_I18N = True
LANGUAGE_CODE = "en"
ROOT_URLCONF = "tests.urls"
DATABASES = {"default": dj_database_url.config(default="sqlite://:memory:")}
if os.environ.get("DATABASE_URL"):
    DATABASES["default"]["TEST"] = {"NAME": "test_shop_core"}
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "shop_core",
    "tests",  # models for the delivery and filter tests
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SHOP_CORE_TEST = {}

from shop_core import schema  # noqa: E402

REST_FRAMEWORK = {"DEFAULT_SCHEMA_CLASS": schema.DEFAULT_SCHEMA_CLASS}
SPECTACULAR_SETTINGS = {**schema.SPECTACULAR_SETTINGS, "TITLE": "shop_core tests"}
