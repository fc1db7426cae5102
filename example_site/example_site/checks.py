"""System checks of the reference site (registered by ``apps.SiteConfig``).

example_site.E001  a rate-limit cache is per process while the production
                   profile needs one shared by every process
                   (``SHOP_REQUIRE_SHARED_CACHE``).

gunicorn runs no system checks, so ``wsgi.py`` runs these (tag ``shop_site``)
itself and refuses to serve when one fails.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import Error, register
from rest_framework.settings import api_settings

SITE_TAG = "shop_site"
PER_PROCESS = (LocMemCache, DummyCache)
HINT = (
    "Set REDIS_URL (Redis through django-redis) or CACHE_URL=db://shop_cache "
    "(the database cache, after `manage.py createcachetable`)."
)


def _resolve(cache: Any) -> Any:
    # ``django.core.cache.cache`` (DRF's default) is a proxy to caches["default"].
    alias = getattr(cache, "_alias", None)
    return caches[alias] if isinstance(alias, str) else cache


def rate_limit_caches() -> dict[int, tuple[Any, list[str]]]:
    """Every cache that rate limits count in, with who uses it, by identity.

    allauth's login and sign-up limits use the default cache; each DRF
    throttle class names its own (the default one unless it says otherwise).
    """
    users: list[tuple[Any, str]] = [(caches["default"], "allauth's login and sign-up limits")]
    for throttle in api_settings.DEFAULT_THROTTLE_CLASSES:
        if getattr(throttle, "cache", None) is not None:
            users.append((_resolve(throttle.cache), throttle.__qualname__))
    found: dict[int, tuple[Any, list[str]]] = {}
    for cache, user in users:
        found.setdefault(id(cache), (cache, []))[1].append(user)
    return found


@register(SITE_TAG, "caches")
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if not getattr(settings, "SHOP_REQUIRE_SHARED_CACHE", False):
        return []
    return [
        Error(
            f"Rate limits count per process: {type(cache).__name__} is not shared by the "
            f"server's processes, and {', '.join(used_by)} count in it.",
            hint=HINT,
            id="example_site.E001",
        )
        for cache, used_by in rate_limit_caches().values()
        if isinstance(cache, PER_PROCESS)
    ]
