"""The reference site as the benchmark runs it (BENCH-WORKLOAD.md): DEBUG
off, SQLite file, no rate limits, plus the S0 ceiling view."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
os.environ["SHOP_THROTTLING"] = "off"

from example_site.settings import *  # noqa: E402,F403
from example_site.settings import BASE_DIR, SQLITE_OPTIONS  # noqa: E402
from example_site.settings import REST_FRAMEWORK as SITE_REST_FRAMEWORK  # noqa: E402

DEBUG = False
ROOT_URLCONF = "bench.urls"
if not os.environ.get("DATABASE_URL"):  # --scale: PostgreSQL, from the site's own settings
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "OPTIONS": SQLITE_OPTIONS,
            # kept between requests, as the site keeps its own (settings.py)
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "NAME": os.environ.get(
                "SHOP_BENCH_DB", str(BASE_DIR.parent / "bench" / "results" / "bench.sqlite3")
            ),
        }
    }
# orjson renders the JSON; money stays strings (COERCE_DECIMAL_TO_STRING, the default).
REST_FRAMEWORK = {
    **SITE_REST_FRAMEWORK,
    "DEFAULT_RENDERER_CLASSES": [
        "drf_orjson_renderer.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seeding 200 users fast
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
# The catalogue's page cache: run.py starts the server with it on, then off.
SHOP_CATALOG = {
    "CACHE": os.environ.get("SHOP_BENCH_CATALOG_CACHE", "off") == "on",
    "IMPORT_MAX_BYTES": 200 * 1024 * 1024,  # --scale 10 imports a 100,000-goods file
}
