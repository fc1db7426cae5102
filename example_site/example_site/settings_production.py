"""Production profile: the base settings plus HTTPS and hardening, all from
the environment. Passes ``manage.py check --deploy`` with no warnings.

DJANGO_SETTINGS_MODULE=example_site.settings_production plus:
DJANGO_SECRET_KEY       required, 50+ random characters
DJANGO_ALLOWED_HOSTS    required, e.g. "shop.example.com"
DJANGO_CSRF_TRUSTED_ORIGINS   e.g. "https://shop.example.com"
DJANGO_CORS_ALLOWED_ORIGINS   origins of SPA/mobile web clients
DJANGO_SECURE_SSL_REDIRECT    "0" only if the proxy already redirects
DJANGO_HSTS_SECONDS           default one year
SENTRY_DSN                    error reporting (off when unset)
REDIS_URL (or CACHE_URL)      required: a cache every process shares, for rate
                              limits and lockouts (redis://..., or db://shop_cache)

Refused here: DJANGO_DEBUG=1, SHOP_DEMO=1 (demo logins on the start page,
``demo_data``), SHOP_THROTTLING=off, and a per-process cache (system check
example_site.E001, run by ``manage.py check`` and by ``wsgi.py``).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import DEBUG, SHOP_THROTTLING, env_flag, env_list

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
if env_flag("SHOP_DEMO"):
    raise ImproperlyConfigured("SHOP_DEMO must be off in production (it shows the demo logins).")
if SHOP_THROTTLING == "off":
    raise ImproperlyConfigured("SHOP_THROTTLING=off is for benchmarks only, not production.")
if "DJANGO_ALLOWED_HOSTS" not in os.environ:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS in production.")

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_flag("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
CORS_ALLOWED_ORIGINS = env_list("DJANGO_CORS_ALLOWED_ORIGINS")

DEMO_MODE = False
# Rate limits and lockouts must count in a cache all processes share.
SHOP_REQUIRE_SHARED_CACHE = True
