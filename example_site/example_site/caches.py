"""The site's cache, from the environment, and which caches are per process.

Rate limits (DRF's throttles, allauth's login and sign-up limits) count in
the cache. A per-process cache counts per gunicorn worker: with four
workers an attacker gets four times the tries. Production therefore needs
a cache every process shares:

CACHE_URL   redis://[:password@]host:port/db (or rediss://): Redis through django-redis;
            db://table_name: the database cache (run ``manage.py createcachetable``);
            locmem://: per process (development only).
REDIS_URL   used when CACHE_URL is unset (the name most hosts give it).
Neither set: a per-process cache, which the production profile refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

PER_PROCESS_BACKENDS = frozenset(
    {
        "django.core.cache.backends.locmem.LocMemCache",
        "django.core.cache.backends.dummy.DummyCache",
    }
)
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}


def cache_url(environ: Mapping[str, str]) -> str:
    return environ.get("CACHE_URL") or environ.get("REDIS_URL") or ""


def cache_from_url(url: str) -> dict[str, Any]:
    """One entry of ``CACHES`` for ``url`` (see the module's docstring)."""
    if not url:
        return dict(LOCMEM)
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss", "unix"):
        return {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            # Fail fast rather than hang a worker when Redis is unreachable.
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
            "KEY_PREFIX": "shop",
        }
    if scheme == "db":
        table = urlsplit(url).netloc or "shop_cache"
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": table}
    if scheme == "locmem":
        return dict(LOCMEM)
    raise ImproperlyConfigured(
        f"CACHE_URL/REDIS_URL: unknown scheme {scheme!r}; use redis://, rediss://, db:// "
        "or locmem://."
    )


def is_per_process(backend: str) -> bool:
    return backend in PER_PROCESS_BACKENDS
