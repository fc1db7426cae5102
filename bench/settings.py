"""The reference site as the benchmark runs it (BENCH-WORKLOAD.md): DEBUG
off, SQLite file, no rate limits, plus the S0 ceiling view."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-not-secret")
os.environ["SHOP_THROTTLING"] = "off"

from example_site.settings import *  # noqa: E402,F403
from example_site.settings import BASE_DIR, SQLITE_OPTIONS  # noqa: E402

DEBUG = False
ROOT_URLCONF = "bench.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "OPTIONS": SQLITE_OPTIONS,
        "NAME": os.environ.get(
            "SHOP_BENCH_DB", str(BASE_DIR.parent / "bench" / "results" / "bench.sqlite3")
        ),
    }
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # seeding 200 users fast
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
