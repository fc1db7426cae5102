"""The production profile and operability: deploy checks, request ids."""

import logging

import pytest
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from example_site.caches import cache_from_url
from example_site.checks import check_shared_cache
from rest_framework.throttling import SimpleRateThrottle

from .helpers import PRODUCTION_ENV, child_env, run_site


def manage(*args, **env):
    return run_site(["manage.py", *args], child_env(PRODUCTION_ENV, **env))


def test_production_settings_pass_the_deploy_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "1"}, "DJANGO_DEBUG"),
        ({"DJANGO_SECRET_KEY": ""}, "DJANGO_SECRET_KEY"),
        ({"SHOP_DEMO": "1"}, "SHOP_DEMO"),
        ({"SHOP_THROTTLING": "off"}, "SHOP_THROTTLING"),
    ],
)
def test_production_refuses_unsafe_settings(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_redirects_plain_http_and_sends_hsts(tmp_path):
    code = (
        "from example_site.wsgi import application;"  # boots: the cache is shared
        "from django.core.management import call_command;"
        "call_command('createcachetable');"
        "from django.test import Client;"
        "c = Client();"
        "r = c.get('/health/', HTTP_HOST='shop.example.com');"
        "print(r.status_code, r['Location']);"
        "r = c.get('/health/', HTTP_HOST='shop.example.com', HTTP_X_FORWARDED_PROTO='https');"
        "print(r.status_code, r['Strict-Transport-Security'])"
    )
    env = child_env(PRODUCTION_ENV, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    result = run_site(["-c", code], env)
    assert result.returncode == 0, result.stderr
    redirect, secure = result.stdout.splitlines()
    assert redirect == "301 https://shop.example.com/health/"
    assert secure.startswith("200 max-age=31536000")


def test_request_id_is_echoed(client, db):
    response = client.get("/health/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    made_up = client.get("/health/")["X-Request-ID"]
    assert len(made_up) == 32 and made_up != "abc-123"
    # A forged id with odd characters is replaced, not logged verbatim.
    assert client.get("/health/", HTTP_X_REQUEST_ID="x\ny")["X-Request-ID"] != "x\ny"


def test_log_lines_carry_request_and_user(client, db, django_user_model):
    from example_site.logging import RequestContextFilter

    seen = []

    class Remember(logging.Handler):
        def emit(self, record):
            seen.append((record.request_id, record.user_id))

    handler = Remember()
    handler.addFilter(RequestContextFilter())  # runs while the request is live
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        client.get("/api/v1/accounts/user/", HTTP_X_REQUEST_ID="req-42")  # 401/403: logged
        user = django_user_model.objects.create_user(email="log@example.com", password="x")
        client.force_login(user)
        client.get("/no-such-page/", HTTP_X_REQUEST_ID="req-43")  # 404: logged
    finally:
        logger.removeHandler(handler)
    assert seen == [("req-42", "-"), ("req-43", user.pk)]


def test_cors_allows_only_listed_origins(client, db, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    allowed = client.get("/health/", HTTP_ORIGIN="https://app.example.com")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.com"
    other = client.get("/health/", HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in other


# --- A cache every process shares (rate limits and lockouts) ----------------


def test_production_server_refuses_to_start_on_a_per_process_cache():
    # gunicorn loads wsgi.py and runs no system checks itself: wsgi.py does.
    # (`manage.py check` runs the same check: test_system_checks_run_... below.)
    result = run_site(["-c", "import example_site.wsgi"], child_env(PRODUCTION_ENV, CACHE_URL=None))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "example_site.E001" in result.stderr
    assert "REDIS_URL" in result.stderr  # the hint says what to set


@pytest.mark.parametrize(
    ("url", "backend"),
    [
        ("redis://127.0.0.1:6379/1", "django_redis.cache.RedisCache"),
        ("rediss://:secret@cache.internal:6380/0", "django_redis.cache.RedisCache"),
        ("db://shop_cache", "django.core.cache.backends.db.DatabaseCache"),
        ("locmem://", "django.core.cache.backends.locmem.LocMemCache"),
        ("", "django.core.cache.backends.locmem.LocMemCache"),
    ],
)
def test_cache_from_url(url, backend):
    config = cache_from_url(url)
    assert config["BACKEND"] == backend
    if url.startswith("redis"):
        assert config["LOCATION"] == url


def test_cache_from_url_refuses_an_unknown_scheme():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="memcached"):
        cache_from_url("memcached://127.0.0.1:11211")


LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
SHARED = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "shop_cache"}


@pytest.mark.parametrize(
    ("default", "errors"), [(LOCMEM, 1), (DUMMY, 1), (SHARED, 0)], ids=["locmem", "dummy", "db"]
)
def test_shared_cache_check_on_the_default_cache(settings, default, errors):
    settings.SHOP_REQUIRE_SHARED_CACHE = True
    settings.CACHES = {"default": default}
    found = check_shared_cache()
    assert [error.id for error in found] == ["example_site.E001"] * errors
    if errors:  # one error naming everything that counts in that cache
        assert "allauth" in found[0].msg and "AnonRateThrottle" in found[0].msg
    settings.SHOP_REQUIRE_SHARED_CACHE = False
    assert check_shared_cache() == []  # development may use a per-process cache


def test_shared_cache_check_on_a_throttle_with_its_own_cache(settings, monkeypatch):
    settings.SHOP_REQUIRE_SHARED_CACHE = True
    settings.CACHES = {"default": SHARED, "throttles": LOCMEM}
    from django.core.cache import caches

    class LocalThrottle(SimpleRateThrottle):
        cache = caches["throttles"]

    from rest_framework.settings import api_settings

    monkeypatch.setattr(api_settings, "DEFAULT_THROTTLE_CLASSES", [LocalThrottle])
    assert isinstance(caches["default"], DatabaseCache)
    [error] = check_shared_cache()
    assert error.id == "example_site.E001" and "LocalThrottle" in error.msg


def test_system_checks_run_the_shared_cache_check(settings):
    settings.SHOP_REQUIRE_SHARED_CACHE = True
    settings.CACHES = {"default": LOCMEM}
    with pytest.raises(SystemCheckError, match="example_site.E001"):
        call_command("check")


# --- Worker memory (wsgi.py) ------------------------------------------------


def test_a_worker_loads_its_urls_and_freezes_its_start_up(tmp_path):
    # Frozen objects are out of the collector's count: full collections come
    # soon enough to free a long request's cyclic garbage (wsgi.py). gunicorn
    # preloads wsgi.py in its master: no worker may inherit its database socket.
    code = (
        "import gc, sys, django;"
        "from django.db import connection;"
        "django.setup();"
        "connection.ensure_connection();"  # as a start-up query would
        "from example_site.wsgi import application;"
        "print(gc.get_freeze_count() > 10000, 'storefront.urls' in sys.modules,"
        " connection.connection is None)"
    )
    env = child_env(PRODUCTION_ENV, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3")
    result = run_site(["-c", code], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]
