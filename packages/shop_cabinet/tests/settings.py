"""The minimum settings to run shop_cabinet alone (with shop_orders and shop_catalog).

``tests.settings_integrations`` adds the optional apps (shop_accounts,
shop_bookings) for the tests marked ``with_apps``.
"""

import os
import tempfile

import dj_database_url

try:  # Django >= 6.0 ships the tasks API; older versions use the backport.
    import django.tasks  # noqa: F401

    TASKS_BACKEND = "django.tasks.backends.immediate.ImmediateBackend"
    DUMMY_BACKEND = "django.tasks.backends.dummy.DummyBackend"
    TASKS_APP = []
except ImportError:
    TASKS_BACKEND = "django_tasks.backends.immediate.ImmediateBackend"
    DUMMY_BACKEND = "django_tasks.backends.dummy.DummyBackend"
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
    DATABASES["default"]["TEST"] = {"NAME": "test_shop_cabinet"}

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
    *TASKS_APP,
    "shop_core",
    "shop_catalog",
    "shop_orders",
    "shop_cabinet",
    "django_cleanup.apps.CleanupConfig",
]
TASKS = {
    "default": {"BACKEND": TASKS_BACKEND},
    "broken": {"BACKEND": "tests.backends.BrokenBackend"},  # a queue that is down
    "dummy": {"BACKEND": DUMMY_BACKEND},  # a queue nobody works off
}
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
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), "shop-cabinet-test-media")
MEDIA_URL = "/media/"
STATIC_URL = "/static/"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

from shop_core.schema import DEFAULT_SCHEMA_CLASS  # noqa: E402
from shop_core.schema import SPECTACULAR_SETTINGS as SHOP_SCHEMA  # noqa: E402

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": DEFAULT_SCHEMA_CLASS,
}
SPECTACULAR_SETTINGS = {**SHOP_SCHEMA, "TITLE": "shop_cabinet tests"}
SHOP_ORDERS = {"ADDRESS_RESOLVER": "shop_cabinet.hooks.resolve_address", "NOTIFIER": None}
SHOP_CABINET = {}
