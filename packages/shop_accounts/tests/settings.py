"""The minimum settings to run shop_accounts alone (token login)."""

import os
import tempfile

import dj_database_url
import django

try:  # Django >= 6.0 has the tasks API built in
    import django.tasks  # noqa: F401

    TASKS_BACKEND = "django.tasks.backends.immediate.ImmediateBackend"
    TASKS_APP = []
except ImportError:  # the django-tasks backport
    TASKS_BACKEND = "django_tasks.backends.immediate.ImmediateBackend"
    TASKS_APP = ["django_tasks"]

SECRET_KEY = "tests-only-not-secret-long-enough-for-hs256"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
SITE_ID = 1

DATABASES = {"default": dj_database_url.config(default="sqlite://:memory:")}
if os.environ.get("DATABASE_URL"):
    DATABASES["default"]["TEST"] = {"NAME": "test_shop_accounts"}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sites",
    "rest_framework",
    "rest_framework.authtoken",
    "allauth",
    "allauth.account",
    "allauth.mfa",  # two-factor login (off in the custom-user run)
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "dj_rest_auth",
    "dj_rest_auth.registration",
    "drf_spectacular",
    *TASKS_APP,
    "shop_core",
    "shop_accounts",
    "tests.protector",  # a model of another package that protects users
    "django_cleanup.apps.CleanupConfig",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "shop_accounts.middleware.RequestUserMiddleware",
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
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
MEDIA_ROOT = os.path.join(tempfile.gettempdir(), "shop-accounts-test-media")  # conftest: per test
if django.VERSION >= (6, 1):  # EMAIL_BACKEND is deprecated there; tests swap in locmem
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
TASKS = {"default": {"BACKEND": TASKS_BACKEND}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# allauth: e-mail login, mandatory verification, links valid two hours.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 2 / 24
ACCOUNT_CHANGE_EMAIL = True  # user/email/: the new address replaces the old once verified
ACCOUNT_ADAPTER = "shop_accounts.adapter.AccountAdapter"
ACCOUNT_RATE_LIMITS = False
SOCIALACCOUNT_ADAPTER = "shop_accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "APP": {"client_id": "test-client", "secret": "test-secret"},
        "SCOPE": ["profile", "email"],
        "EMAIL_AUTHENTICATION": True,
    }
}

from shop_core.schema import DEFAULT_SCHEMA_CLASS  # noqa: E402
from shop_core.schema import SPECTACULAR_SETTINGS as SHOP_SCHEMA  # noqa: E402

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # The schema documents every error answer with its codes.
    "DEFAULT_SCHEMA_CLASS": DEFAULT_SCHEMA_CLASS,
}
SPECTACULAR_SETTINGS = {**SHOP_SCHEMA, "TITLE": "shop_accounts"}
REST_AUTH = {
    "LOGIN_SERIALIZER": "shop_accounts.serializers.LoginSerializer",
    "REGISTER_SERIALIZER": "shop_accounts.serializers.RegisterSerializer",
    "USER_DETAILS_SERIALIZER": "shop_accounts.serializers.UserSerializer",
    "PASSWORD_RESET_SERIALIZER": "shop_accounts.serializers.PasswordResetSerializer",
    "OLD_PASSWORD_FIELD_ENABLED": True,  # the package's password change requires it anyway
    "SESSION_LOGIN": False,
}
# allauth.mfa: passkeys beside TOTP, and passkeys that log in alone.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
SHOP_ACCOUNTS = {"REGISTRATION_ROLES": ["supplier", "specialist"]}
