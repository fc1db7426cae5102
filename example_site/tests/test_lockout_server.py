"""Lockouts hold across the server's processes: the production profile under
gunicorn with four workers and the shared cache (Redis). With a per-process
cache, each worker counted its own failures, and six wrong passwords then the
right one logged in.

Needs a Redis server: ``nox -s tests_postgres`` starts one and sets REDIS_URL.
"""

import json
import os
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from .helpers import PASSWORD, PRODUCTION_ENV, child_env, run_site

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
from site_server import start_site  # noqa: E402

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)"),
]
EMAIL = "victim@example.com"


@pytest.fixture
def server_redis_url() -> str:
    """A Redis database of its own (the test run's cache uses the URL's)."""
    import redis

    url = urlunsplit(urlsplit(os.environ["REDIS_URL"])._replace(path="/15"))
    redis.Redis.from_url(url).flushdb()
    yield url
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def production_site(site_database_url, server_redis_url, tmp_path):
    env = child_env(
        PRODUCTION_ENV,
        CACHE_URL=None,
        REDIS_URL=server_redis_url,
        DATABASE_URL=site_database_url,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback, no proxy
        DJANGO_LOG_LEVEL="ERROR",
    )
    created = run_site(["manage.py", "create_user", EMAIL, "--password", PASSWORD], env)
    assert created.returncode == 0, created.stderr
    server, base = start_site(env, workers=4, log=tmp_path / "gunicorn.log")
    yield base
    server.terminate()
    server.wait(timeout=30)


def login(base: str, password: str) -> int:
    request = urllib.request.Request(
        f"{base}/api/v1/accounts/login/",
        data=json.dumps({"email": EMAIL, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_wrong_passwords_lock_the_account_across_workers(production_site):
    # Four at a time, so every worker answers some (one at a time, the kernel
    # may hand most of them to one worker and hide per-process counting).
    with ThreadPoolExecutor(max_workers=4) as pool:
        wrong = [
            status
            for _burst in range(2)
            for status in pool.map(lambda _: login(production_site, "guess"), range(4))
        ]
    # allauth checks 5 failures per account, then refuses, whichever worker answers.
    assert sorted(wrong) == [400] * 5 + [429] * 3
    assert login(production_site, PASSWORD) == 429
