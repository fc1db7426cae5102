"""The site under gunicorn with demo data, and a headless Chromium to drive it.

Run by ``nox -s browser`` (the distribution's chromium and chromium-driver,
Selenium); not part of the site's normal test run. Screenshots go to
``$BROWSER_SCREENSHOTS`` (default: a temporary folder, printed at the end).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

SITE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SITE.parent / "tools"))

from site_server import start_site  # noqa: E402


@pytest.fixture(scope="session")
def site_env() -> Iterator[dict[str, str]]:
    """A fresh demo database (debug on: gunicorn serves the static files)."""
    workdir = Path(tempfile.mkdtemp(prefix="shop-browser-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example_site.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "SHOP_BROWSER_WORKDIR": str(workdir),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=SITE, env=env, check=True)
    subprocess.run([*manage, "demo_data"], cwd=SITE, env=env, check=True, stdout=subprocess.DEVNULL)
    # From here on, as in production: tasks (large imports, exports, e-mails)
    # are queued in the database for the worker.
    yield {**env, "SHOP_TASKS_BACKEND": "database"}
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def site_url(site_env: dict[str, str]) -> Iterator[str]:
    """The site served by gunicorn."""
    log = Path(site_env["SHOP_BROWSER_WORKDIR"]) / "server.log"
    server, base = start_site(site_env, log=log)
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def task_worker(site_env: dict[str, str]) -> Iterator[Callable[[], None]]:
    """Starts the task worker (``db_worker``) when first called: a story can
    watch a job wait in the queue before any worker takes it."""
    started: list[subprocess.Popen] = []
    log_path = Path(site_env["SHOP_BROWSER_WORKDIR"]) / "worker.log"

    def start() -> None:
        if not started:
            command = ["manage.py", "db_worker", "--no-reload", "--interval", "0.2"]
            with log_path.open("ab") as log:  # the worker keeps its own copy of the handle
                started.append(
                    subprocess.Popen(
                        [sys.executable, *command], cwd=SITE, env=site_env, stdout=log, stderr=log
                    )
                )

    yield start
    for worker in started:
        worker.terminate()
        worker.wait(timeout=10)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = Path(os.environ.get("BROWSER_SCREENSHOTS") or tempfile.mkdtemp(prefix="shop-shots-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nScreenshots: {folder}")
    return folder


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    """Headless Chromium of the distribution, through its own chromedriver (no download)."""
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    # No background connections: they are refused on a closed network and slow the start.
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=en",
    ):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,900")
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.implicitly_wait(2)
    try:
        yield driver
    finally:
        driver.quit()
