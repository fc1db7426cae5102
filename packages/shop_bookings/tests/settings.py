"""The minimum settings to run shop_bookings alone."""

import os
import tempfile

import dj_database_url

try:  # Django >= 6.0 ships the tasks API; older versions use the backport.
    import django.tasks  # noqa: F401

    TASKS_BACKEND = "django.tasks.backends.immediate.ImmediateBackend"
    TASKS_APP = []
except ImportError:
    TASKS_BACKEND = "django_tasks.backends.immediate.ImmediateBackend"
    TASKS_APP = ["django_tasks"]

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
ROOT_URLCONF = "tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {"default": dj_database_url.config(default="sqlite://:memory:")}
if os.environ.get("DATABASE_URL"):
    DATABASES["default"]["TEST"] = {"NAME": "test_shop_bookings"}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    *TASKS_APP,
    "shop_core",
    "shop_bookings",
    "django_cleanup.apps.CleanupConfig",
]
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
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), "shop-bookings-test-media")
STATIC_URL = "/static/"
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}

from shop_core import schema  # noqa: E402

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    # drf-standardized-errors' schema class: every error answer documented with its codes.
    "DEFAULT_SCHEMA_CLASS": schema.DEFAULT_SCHEMA_CLASS,
}
SPECTACULAR_SETTINGS = {**schema.SPECTACULAR_SETTINGS, "TITLE": "shop_bookings tests"}
SHOP_BOOKINGS = {}
