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
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

SITE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SITE.parent / "tools"))

from site_server import start_site  # noqa: E402


@pytest.fixture(scope="session")
def site_url() -> Iterator[str]:
    """A fresh demo database served by gunicorn (debug on: it serves the static files)."""
    workdir = Path(tempfile.mkdtemp(prefix="shop-browser-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example_site.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=SITE, env=env, check=True)
    subprocess.run([*manage, "demo_data"], cwd=SITE, env=env, check=True, stdout=subprocess.DEVNULL)
    server, base = start_site(env, log=workdir / "server.log")
    try:
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


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
