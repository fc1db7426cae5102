"""The minimum settings to run shop_catalog alone."""

import os
import tempfile

import dj_database_url

from shop_core import schema as shop_schema

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {"default": dj_database_url.config(default="sqlite://:memory:")}
if os.environ.get("DATABASE_URL"):
    DATABASES["default"]["TEST"] = {"NAME": "test_shop_catalog"}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "import_export",
    "shop_core",
    "shop_catalog",
    "django_cleanup.apps.CleanupConfig",
]
try:  # Django >= 6.0 has the tasks framework built in
    import django.tasks  # noqa: F401

    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
except ImportError:
    INSTALLED_APPS.append("django_tasks")
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), "shop-catalog-test-media")
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    # documents every error answer with its codes
    "DEFAULT_SCHEMA_CLASS": shop_schema.DEFAULT_SCHEMA_CLASS,
}
SPECTACULAR_SETTINGS = {**shop_schema.SPECTACULAR_SETTINGS, "TITLE": "shop_catalog tests"}
SHOP_CATALOG = {}
