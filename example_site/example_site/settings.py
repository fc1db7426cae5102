"""Settings of the reference site, read from the environment.

DJANGO_DEBUG            "1" to turn debug on (off by default)
DJANGO_SECRET_KEY       required unless debug is on
DJANGO_ALLOWED_HOSTS    comma-separated (default: localhost names)
DJANGO_STATIC_ROOT      where collectstatic writes (default: staticfiles/ beside manage.py)
DATABASE_URL            default: SQLite file db.sqlite3 beside manage.py
SHOP_AUTH               "token" (default) or "jwt"
SHOP_TASKS_BACKEND      "immediate" (default), "database" (run `manage.py db_worker`) or "rq"
                        (RQ on REDIS_URL: needs django-tasks-rq; run `manage.py rqworker`)
SHOP_THROTTLE_RATES     overrides of single rates, e.g. "anon=5000/min,burst=600/min"
SHOP_THROTTLING         "on" (default) or "off": "off" turns every rate limit off, DRF's
                        throttles and allauth's login/sign-up limits alike (benchmarks and
                        fuzzing only; the production profile refuses it)
CACHE_URL, REDIS_URL    the cache rate limits count in (see caches.py): redis://..., db://table;
                        unset: per process (the production profile refuses it)
SHOP_DEMO               "1": demo mode without debug (start page lists the demo logins,
                        `demo_data` runs); on whenever DJANGO_DEBUG is; refused in production
SHOP_CATALOG_CACHE      "on" (default) or "off": anonymous catalogue pages from the cache
SHOP_MAX_UPLOAD_BYTES   largest multipart body (default 25 MB); other bodies: 2.5 MB
SHOP_EMAIL_VERIFICATION_URL, SHOP_PASSWORD_RESET_URL, SHOP_EMAIL_CHANGE_URL
                        the links e-mails carry, for a single-page or mobile front end:
                        e.g. https://shop.example/verify-email?key={key},
                        https://shop.example/reset-password/{uid}/{token},
                        https://shop.example/email-change?key={key}; unset: the API's own
EMAIL_URL-less setup:   console e-mail in debug, SMTP from EMAIL_HOST otherwise
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from example_site.caches import cache_from_url, cache_url
from shop_core import schema as shop_schema

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_flag("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local use).")
    SECRET_KEY = "insecure-debug-only-key"
ALLOWED_HOSTS = os.environ.get(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver"
).split(",")

INSTALLED_APPS = [
    "example_site.admin_site.ShopAdminConfig",  # the admin with the shop's landing page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "import_export",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from here: the docs work offline
    "storefront",  # the browsable shop; before allauth, whose templates it overrides
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.mfa",  # two-factor login (shop_accounts[mfa])
    "dj_rest_auth",
    "dj_rest_auth.registration",
    "django_tasks_db",
    "django_htmx",
    "example_site.apps.SiteConfig",
    "users",
    "demo",
    "shop_core",
    "shop_accounts",
    "shop_bookings",
    "shop_catalog",
    "shop_orders",
    "shop_cabinet",
    # django-cleanup last, as its docs ask.
    "django_cleanup.apps.CleanupConfig",
]
HAS_DJANGO_TASKS = find_spec("django.tasks") is not None
if not HAS_DJANGO_TASKS:
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db"), "django_tasks")

MIDDLEWARE = [
    "example_site.logging.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body; after the language is chosen (its 413 is translated).
    "example_site.errors.BodySizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "storefront.middleware.HtmxRedirectMiddleware",
    "shop_accounts.middleware.RequestUserMiddleware",
]

ROOT_URLCONF = "example_site.urls"
WSGI_APPLICATION = "example_site.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "storefront.context.storefront",
            ]
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        # A kept connection is tested before a request uses it: after the
        # database restarts, requests reconnect instead of failing once each.
        conn_health_checks=True,
    )
}
# SQLite with several server processes: a transaction that reads first and
# writes later cannot upgrade its lock while another process writes, and
# fails at once with "database is locked" (no waiting). BEGIN IMMEDIATE takes
# the write lock up front and waits for it (up to `timeout` seconds); WAL
# lets readers go on while one process writes; synchronous=NORMAL is safe
# with WAL (a power cut may lose the last commits, never corrupt the file).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
# Rate limits and lockouts count here: production needs a cache every
# process shares (checks.py, example_site.E001).
CACHES = {"default": cache_from_url(cache_url(os.environ))}
SHOP_REQUIRE_SHARED_CACHE = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"
SITE_ID = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ru", "Русский")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Bodies that are not multipart keep Django's DATA_UPLOAD_MAX_MEMORY_SIZE
# (2.5 MB); multipart ones (price lists of up to 20 MB, images) this.
SHOP_MAX_UPLOAD_BYTES = int(os.environ.get("SHOP_MAX_UPLOAD_BYTES", str(25 * 1024 * 1024)))

# Demo mode: the start page lists the demo logins and `demo_data` may run.
DEMO_MODE = DEBUG or env_flag("SHOP_DEMO")

# --- E-mail -----------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "shop@example.com")
if "DJANGO_EMAIL_BACKEND" in os.environ:  # e.g. the dummy backend for fuzzing
    EMAIL_BACKEND = os.environ["DJANGO_EMAIL_BACKEND"]
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if not DEBUG:
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")

# --- Background work (Django tasks API) -------------------------------------
_tasks_module = "django.tasks" if HAS_DJANGO_TASKS else "django_tasks"
TASK_BACKENDS = {
    "immediate": f"{_tasks_module}.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
}
SHOP_TASKS_BACKEND = os.environ.get("SHOP_TASKS_BACKEND", "immediate")
if SHOP_TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"SHOP_TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}.")
TASKS = {"default": {"BACKEND": TASK_BACKENDS[SHOP_TASKS_BACKEND]}}
if SHOP_TASKS_BACKEND == "rq":  # optional: RQ on the same Redis as the cache
    if find_spec("django_tasks_rq") is None or not os.environ.get("REDIS_URL"):
        raise ImproperlyConfigured("SHOP_TASKS_BACKEND=rq needs django-tasks-rq and REDIS_URL.")
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_tasks_db"), "django_rq")
    RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"]}}

# --- Accounts (allauth + dj-rest-auth + shop_accounts) ----------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 2 / 24  # two hours
ACCOUNT_CHANGE_EMAIL = True  # a verified new address replaces the old one
MFA_TOTP_ISSUER = "Shop apps example"
# The API's answers on the API, allauth's own on the HTML account pages.
ACCOUNT_ADAPTER = "shop_accounts.adapter.AccountAdapter"
# Second factor: an authenticator app, recovery codes or a passkey; passkeys
# also log in without a password.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "storefront:cabinet"
ACCOUNT_LOGOUT_REDIRECT_URL = "storefront:home"
# The Google button is shown only for a real Google app (not the demo values).
GOOGLE_LOGIN_CONFIGURED = bool(os.environ.get("GOOGLE_CLIENT_ID"))
SOCIALACCOUNT_ADAPTER = "shop_accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_PROVIDERS = {
    "google": {
        "APP": {
            "client_id": os.environ.get("GOOGLE_CLIENT_ID", "demo-client-id"),
            "secret": os.environ.get("GOOGLE_CLIENT_SECRET", "demo-secret"),
        },
        "SCOPE": ["profile", "email"],
        "EMAIL_AUTHENTICATION": True,
    }
}
SHOP_AUTH = os.environ.get("SHOP_AUTH", "token")
if SHOP_AUTH not in ("token", "jwt"):
    raise ImproperlyConfigured("SHOP_AUTH must be 'token' or 'jwt'.")
REST_AUTH = {
    "LOGIN_SERIALIZER": "shop_accounts.serializers.LoginSerializer",
    "REGISTER_SERIALIZER": "shop_accounts.serializers.RegisterSerializer",
    "USER_DETAILS_SERIALIZER": "shop_accounts.serializers.UserSerializer",
    "PASSWORD_RESET_SERIALIZER": "shop_accounts.serializers.PasswordResetSerializer",
    "SESSION_LOGIN": False,
    "USE_JWT": SHOP_AUTH == "jwt",
    # Refresh token in the body as well: mobile clients cannot read cookies.
    "JWT_AUTH_HTTPONLY": False,
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=7),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
}
SHOP_ACCOUNTS = {
    "REGISTRATION_ROLES": ["supplier", "specialist"],
    # Links for a single-page or mobile front end (None: the API's own).
    "EMAIL_VERIFICATION_URL": os.environ.get("SHOP_EMAIL_VERIFICATION_URL"),
    "PASSWORD_RESET_URL": os.environ.get("SHOP_PASSWORD_RESET_URL"),
    "EMAIL_CHANGE_URL": os.environ.get("SHOP_EMAIL_CHANGE_URL"),
}
# Checkout takes an address_id from the cabinet's address book.
SHOP_ORDERS = {"ADDRESS_RESOLVER": "shop_cabinet.hooks.resolve_address"}
# Anonymous product list and detail answered from the cache, keyed by a
# catalogue version every write replaces (SHOP_CATALOG_CACHE=off to compare).
SHOP_CATALOG = {
    "CACHE": env_flag("SHOP_CATALOG_CACHE", default=True),
    # A price-list import whose worker died is taken up again after this long.
    "IMPORT_LEASE_MINUTES": float(os.environ.get("SHOP_IMPORT_LEASE_MINUTES", "30")),
}

# --- API ----------------------------------------------------------------------
THROTTLE_RATES = {
    "anon": "100/day",
    "user": "1000/day",
    "burst": "60/min",
    "shop_accounts.login": "10/min",
    "shop_accounts.register": "5/min",
    "shop_accounts.password_reset": "5/hour",
    "dj_rest_auth": "30/min",
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        (
            "dj_rest_auth.jwt_auth.JWTCookieAuthentication"
            if SHOP_AUTH == "jwt"
            else "rest_framework.authentication.TokenAuthentication"
        ),
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "example_site.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "example_site.schema.ShopAutoSchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "example_site.throttling.BurstRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    # orjson: the same JSON (money stays strings), rendered several times faster.
    "DEFAULT_RENDERER_CLASSES": [
        "drf_orjson_renderer.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # Depth-checked JSON for every DRF view of the site, the packages' or not.
    "DEFAULT_PARSER_CLASSES": [
        "shop_core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # The packages' one error body (drf-standardized-errors) for every DRF
    # view of the site, the packages' own or not.
    "EXCEPTION_HANDLER": "shop_core.errors.exception_handler",
}
# SHOP_THROTTLE_RATES="anon=5000/min,burst=600/min": a deployment's own rates
# (a shop behind one NAT, a load test that keeps the login limits).
for _item in env_list("SHOP_THROTTLE_RATES"):
    _scope, _, _rate = _item.partition("=")
    if _scope.strip() not in THROTTLE_RATES or not re.fullmatch(
        r"\d+/(s|sec|m|min|h|hour|d|day)", _rate.strip()
    ):
        raise ImproperlyConfigured(
            f"SHOP_THROTTLE_RATES: {_item!r} is not <scope>=<n>/<s|min|hour|day> "
            f"with a scope of {', '.join(THROTTLE_RATES)}."
        )
    THROTTLE_RATES[_scope.strip()] = _rate.strip()
DRF_STANDARDIZED_ERRORS = {"EXCEPTION_HANDLER_CLASS": "example_site.errors.SiteExceptionHandler"}
SHOP_THROTTLING = os.environ.get("SHOP_THROTTLING", "on")
if SHOP_THROTTLING not in ("on", "off"):
    raise ImproperlyConfigured("SHOP_THROTTLING must be 'on' or 'off'.")
if SHOP_THROTTLING == "off":  # benchmarks and fuzzing: every rate limit off
    REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
    # shop_accounts adds its scoped throttle to login and sign-up itself;
    # a scope without a rate is not limited.
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {}
    ACCOUNT_RATE_LIMITS = False

# The cabinet's B2B block reads shop_accounts through its public selector.
SHOP_CABINET = {"CUSTOMER_KIND_RESOLVER": "shop_accounts.selectors.business_profile"}

SPECTACULAR_SETTINGS = {
    **shop_schema.SPECTACULAR_SETTINGS,  # error answers documented with their codes
    "TITLE": "Shop apps API",
    "DESCRIPTION": "The reference site of the shop apps: every package mounted under /api/v1/.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # /api/docs/#/bookings opens that package's operations (the start page links so)
    "SWAGGER_UI_SETTINGS": {"deepLinking": True},
    "REDOC_DIST": "SIDECAR",
    "TAGS": [
        {"name": "accounts", "description": "Sign-up, verification, login, profile, roles"},
        {"name": "catalog", "description": "Categories, shops, products, offers, price lists"},
        {"name": "orders", "description": "Cart, checkout, orders, the suppliers' side"},
        {"name": "cabinet", "description": "Dashboard, address book, favourites, export"},
        {"name": "bookings", "description": "Specialists, services, slots, bookings"},
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    # Several packages name a field "status" or "role"; give each choice set
    # its own component name.
    "ENUM_NAME_OVERRIDES": {
        **shop_schema.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"],
        "BookingStatusEnum": "shop_bookings.models.BookingStatus",
        "BookingRoleEnum": ["client", "specialist"],
        "ImportJobStatusEnum": "shop_catalog.models.ImportJob.Status",
        "OrderStatusEnum": "shop_orders.models.Status",
        "RegistrationRoleEnum": ["supplier", "specialist"],
    },
}

# --- CORS (django-cors-headers): SPA and mobile web clients ------------------
CORS_ALLOWED_ORIGINS = env_list("DJANGO_CORS_ALLOWED_ORIGINS")
CORS_EXPOSE_HEADERS = ["X-Request-ID"]

# --- Logging: every line carries the request id and the user id ------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "example_site.logging.RequestContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s "
            "[request=%(request_id)s user=%(user_id)s] %(message)s"
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request"], "formatter": "plain"}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # One line per task run is noise at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("django_tasks", "django.tasks")},
}

if os.environ.get("SENTRY_DSN"):
    import sentry_sdk

    sentry_sdk.init(
        dsn=os.environ["SENTRY_DSN"],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )
