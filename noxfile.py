"""Day-to-day tasks: demo site, tests (SQLite and PostgreSQL), lint, bench.

    nox -s demo            start the reference site with demo data
    nox -s tests           every package alone, then the site's tests
    nox -s tests_postgres  the same on a PostgreSQL server on loopback (the site's
                           also with a Redis server on loopback as its cache)
    nox -s lint            ruff check + ruff format --check
    nox -s browser         the storefront's stories in a headless Chromium (Selenium)
    nox -s bench           the benchmark workload (gunicorn + wrk)
    nox -s fuzz            schemathesis over the API, anonymous and per role
    nox -s load            locust mixed load on gunicorn + PostgreSQL, then consistency checks
    nox -s topology        Redis, PostgreSQL, worker, 2 gunicorn, nginx: load, faults, checks

Sessions use uv when it is installed (``pip install "nox[uv]"``), plain
virtualenv otherwise.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["lint", "tests"]

ROOT = Path(__file__).parent

# Each package -> the shop packages it needs installed beside it.
PACKAGES: dict[str, list[str]] = {
    "shop_core": [],
    "shop_accounts": ["shop_core"],
    "shop_bookings": ["shop_core"],
    "shop_catalog": ["shop_core"],
    "shop_orders": ["shop_core", "shop_catalog"],
    "shop_cabinet": ["shop_core", "shop_catalog", "shop_orders"],
}
# Extra pytest runs of a package under other settings modules (settings that
# a dependency reads once at import cannot be switched inside one run):
# (pytest arguments, shop packages to install first for that run).
CUSTOM_USER_RUN = (
    ["--ds=tests.settings_custom_user"],
    [],
)  # a user model not built on AbstractUser
EXTRA_RUNS: dict[str, list[tuple[list[str], list[str]]]] = {
    "shop_accounts": [(["--ds=tests.settings_jwt", "-m", "jwt"], []), CUSTOM_USER_RUN],
    "shop_bookings": [CUSTOM_USER_RUN],
    "shop_catalog": [CUSTOM_USER_RUN],
    "shop_orders": [CUSTOM_USER_RUN],
    # The optional integrations, after the runs with the package alone.
    "shop_cabinet": [
        CUSTOM_USER_RUN,
        (["--ds=tests.settings_integrations"], ["shop_accounts", "shop_bookings"]),
    ],
}
# Optional extras the outsider test also adopts from the README's marked blocks.
OUTSIDER_EXTRAS: dict[str, list[str]] = {"shop_accounts": ["mfa"]}
SITE_REQUIREMENTS = "example_site/requirements.txt"
SITE_POSTGRES_REQUIREMENTS = "example_site/requirements-postgres.txt"
SITE_TEST_REQUIREMENTS = "example_site/requirements-test.txt"

PG_PORT = int(os.environ.get("SHOP_PG_PORT", "54329"))
PG_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/shop"
REDIS_PORT = int(os.environ.get("SHOP_REDIS_PORT", "63799"))
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"


def package_path(name: str, extras: str = "") -> str:
    return str(ROOT / "packages" / name) + (f"[{extras}]" if extras else "")


def install_site(session: nox.Session, *, postgres: bool = False, tests: bool = False) -> None:
    """Every package (editable) plus the site's own requirements, the PostgreSQL
    driver when the site runs on PostgreSQL and the test tools for its tests
    (a server never gets either otherwise: DRF loads both psycopg and pygments
    when installed, about 10 MiB in every worker)."""
    extra = [
        *([SITE_POSTGRES_REQUIREMENTS] if postgres else []),
        *([SITE_TEST_REQUIREMENTS] if tests else []),
    ]
    session.install(
        *[arg for name in PACKAGES for arg in ("-e", package_path(name))],
        *[arg for path in (SITE_REQUIREMENTS, *extra) for arg in ("-r", str(ROOT / path))],
    )


def run_package_tests(session: nox.Session, package: str, *, custom_user: bool = True) -> None:
    """The package's suite, then its extra runs (the custom user model's only
    with ``custom_user``)."""
    local = [package, *PACKAGES[package]]
    session.install(package_path(package, "test"), *[package_path(dep) for dep in local[1:]])
    # Reused virtualenvs would keep a stale build of the packages under test.
    session.install("--force-reinstall", "--no-deps", *[package_path(name) for name in local])
    session.chdir(ROOT / "packages" / package)
    session.run("pytest", *session.posargs)
    for args, extra_packages in EXTRA_RUNS.get(package, []):
        if (args, extra_packages) == CUSTOM_USER_RUN and not custom_user:
            continue
        if extra_packages:
            session.install(*[package_path(name) for name in extra_packages])
        session.run("pytest", *args, *session.posargs)


def run_site_tests(session: nox.Session, *, postgres: bool = False) -> None:
    install_site(session, postgres=postgres, tests=True)
    session.chdir(ROOT / "example_site")
    session.run("pytest", *session.posargs)


@nox.session
@nox.parametrize("target", [*PACKAGES, "example_site"])
def tests(session: nox.Session, target: str) -> None:
    """Each package alone with only its dependencies, then the site."""
    if target == "example_site":
        run_site_tests(session)
    else:
        run_package_tests(session, target)


@nox.session
@nox.parametrize("target", [*PACKAGES, "example_site"])
def tests_postgres(session: nox.Session, target: str) -> None:
    """The same suites on a real PostgreSQL server started on loopback (the
    custom user model's runs stay on SQLite); the site's with its production
    cache too (Redis), which its lockout test under gunicorn needs."""
    start_postgres(session)
    session.env["DATABASE_URL"] = PG_URL
    if target == "example_site":
        start_redis(session)
        session.env["REDIS_URL"] = REDIS_URL
        run_site_tests(session, postgres=True)
    else:  # the custom user model is a question of models, answered on SQLite
        run_package_tests(session, target, custom_user=False)


@nox.session
def demo(session: nox.Session) -> None:
    """Start the reference site on http://127.0.0.1:8000/ with demo data."""
    install_site(session)
    session.chdir(ROOT / "example_site")
    session.env.setdefault("DJANGO_DEBUG", "1")
    session.run("python", "manage.py", "migrate", "--noinput")
    session.run("python", "manage.py", "demo_data")
    if os.environ.get("SHOP_DEMO_NO_SERVER"):  # used by CI to check the setup only
        return
    session.run("python", "manage.py", "runserver", "127.0.0.1:8000", *session.posargs)


@nox.session
def browser(session: nox.Session) -> None:
    """The storefront's stories in a headless Chromium: the distribution's chromium
    and chromium-driver (installed with apt-get when missing), Selenium, the site
    under gunicorn with demo data (example_site/browser_tests/)."""
    if shutil.which("chromium") is None or shutil.which("chromedriver") is None:
        apt_install(session, "chromium", "chromium-driver")
    install_site(session, tests=True)
    session.install("selenium>=4.20")
    session.chdir(ROOT / "example_site")
    session.run("pytest", "browser_tests", "-p", "no:cacheprovider", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """The workload of BENCH-WORKLOAD.md through gunicorn + wrk (see bench/run.py)."""
    if shutil.which("wrk") is None:
        apt_install(session, "wrk")
    env = {}
    scaled = any(arg.startswith("--scale") for arg in session.posargs)  # 10x on PostgreSQL
    install_site(session, postgres=scaled)
    if scaled:
        start_postgres(session)
        env["DATABASE_URL"] = PG_URL
    else:  # a reused venv keeps the driver of a --scale run; DRF would load it on SQLite
        uninstall(session, "psycopg", "psycopg-binary")
    session.run("python", str(ROOT / "bench" / "run.py"), *session.posargs, env=env)


@nox.session
def fuzz(session: nox.Session) -> None:
    """schemathesis over the whole OpenAPI schema, anonymous and per role."""
    install_site(session)
    session.install("schemathesis>=4.0")
    session.run("python", str(ROOT / "tools" / "fuzz.py"), *session.posargs)


@nox.session
def load(session: nox.Session) -> None:
    """Mixed load (browse/cart/checkout/bookings) with locust against gunicorn +
    PostgreSQL on loopback, then stock/order/booking consistency checks."""
    start_postgres(session)
    install_site(session, postgres=True)
    session.install("locust>=2.20")
    session.run(
        "python", str(ROOT / "tools" / "load.py"), *session.posargs, env={"DATABASE_URL": PG_URL}
    )


@nox.session
def topology(session: nox.Session) -> None:
    """PostgreSQL, Redis, the task worker, two app servers and nginx on loopback
    (deploy/), the mixed load with faults (an app server, Redis, the worker in
    an import, PostgreSQL), then nothing-lost checks (tools/topology.py).
    ``-- --duration 60`` for the short form."""
    missing = [
        package
        for package, program in (("redis-server", "redis-server"), ("nginx", "nginx"))
        if shutil.which(program) is None
    ]
    if _pg_bin() is None:
        missing += ["postgresql", "postgresql-contrib"]
    if missing:
        apt_install(session, *missing)
    install_site(session, postgres=True)
    session.install("locust>=2.20", "aiosmtpd>=1.4")
    session.run("python", str(ROOT / "tools" / "topology.py"), *session.posargs)


@nox.session
def build(session: nox.Session) -> None:
    """sdist and wheel of every package: twine check, wheel contents, each wheel
    installed alone in a fresh virtualenv and imported (tools/release.py)."""
    session.install("uv", "twine>=6")
    session.run("python", str(ROOT / "tools" / "release.py"), "check", *session.posargs)


@nox.session
def release(session: nox.Session) -> None:
    """Dry run of a release: ``nox -s release -- shop_catalog`` builds and checks it,
    then prints what it would upload and tag (uploading is done by hand)."""
    session.install("uv", "twine>=6")
    session.run("python", str(ROOT / "tools" / "release.py"), "release", *session.posargs)


@nox.session
@nox.parametrize("django", ["5.2", "6.1"])
def outsider(session: nox.Session, django: str) -> None:
    """Each package adopted from its README alone in a fresh ``startproject``
    (tools/outsider.py): oldest and newest supported Django."""
    session.install("uv", "pytest>=8")
    if django == "5.2":  # the tool's own tests, once
        session.run("pytest", "-q", str(ROOT / "tools" / "tests"))
    packages = session.posargs or [name for name in PACKAGES if name != "shop_core"]
    for package in packages:
        session.run("python", str(ROOT / "tools" / "outsider.py"), package, "--django", django)
        if django == "6.1":  # optional extras once, on the newest line
            for extra in OUTSIDER_EXTRAS.get(package, []):
                session.run(
                    "python",
                    str(ROOT / "tools" / "outsider.py"),
                    package,
                    "--django",
                    django,
                    "--extra",
                    extra,
                )


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


# --- System packages, PostgreSQL and Redis on loopback ------------------------


def uninstall(session: nox.Session, *packages: str) -> None:
    """Remove packages from the session's venv, with uv when nox uses it (no pip there)."""
    if session.venv_backend == "uv":
        uv = nox.virtualenv.find_uv()[1]
        session.run(uv, "pip", "uninstall", "-q", *packages, external=True)
    else:
        session.run("python", "-m", "pip", "uninstall", "-y", "-q", *packages)


def apt_install(session: nox.Session, *packages: str) -> None:
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        session.error(f"Install {' '.join(packages)} first (needs root and apt-get).")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    session.run("apt-get", "update", "-q", external=True, env=env)
    session.run("apt-get", "install", "-y", "-q", *packages, external=True, env=env)


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb refuses to run as root: use the postgres account apt created.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def start_postgres(session: nox.Session) -> None:
    """Start (once) a throwaway PostgreSQL cluster on 127.0.0.1:PG_PORT.

    Installs the server with apt-get when missing. The cluster lives in the
    temp directory, trusts loopback only, and is reused by later sessions.
    """
    bin_dir = _pg_bin()
    if bin_dir is None:
        if shutil.which("apt-get") is None or os.geteuid() != 0:
            session.error("PostgreSQL is not installed; run as root with apt-get available.")
        session.run("apt-get", "update", "-q", external=True)
        session.run(
            "apt-get",
            "install",
            "-y",
            "-q",
            "postgresql",
            "postgresql-contrib",
            external=True,
            env={"DEBIAN_FRONTEND": "noninteractive"},
        )
        bin_dir = _pg_bin()
        assert bin_dir is not None
    data = Path(tempfile.gettempdir()) / f"shop-apps-pg-{PG_PORT}"
    ready = subprocess.run(
        [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(PG_PORT)],
        capture_output=True,
    )
    if ready.returncode == 0:
        return
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
        session.run(
            *_as_postgres(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            external=True,
            silent=True,
        )
    session.run(
        *_as_postgres(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(data / "server.log"),
                "-o",
                f"-h 127.0.0.1 -p {PG_PORT} -k {data} -c fsync=off -c max_connections=200",
                "-w",
                "start",
            ]
        ),
        external=True,
    )
    for _ in range(30):
        if (
            subprocess.run(
                [str(bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(PG_PORT)],
                capture_output=True,
            ).returncode
            == 0
        ):
            return
        time.sleep(1)
    session.error("PostgreSQL did not start; see server.log in " + str(data))


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start_redis(session: nox.Session) -> None:
    """Start (once) a throwaway Redis on 127.0.0.1:REDIS_PORT, without persistence.

    Installs redis-server with apt-get when missing; later sessions reuse
    the running server.
    """
    if _redis_answers():
        return
    if shutil.which("redis-server") is None:
        apt_install(session, "redis-server")
    data = Path(tempfile.gettempdir()) / f"shop-apps-redis-{REDIS_PORT}"
    data.mkdir(parents=True, exist_ok=True)
    session.run(
        "redis-server",
        "--bind", "127.0.0.1", "--port", str(REDIS_PORT), "--protected-mode", "yes",
        "--save", "", "--appendonly", "no", "--dir", str(data),
        "--daemonize", "yes", "--logfile", str(data / "redis.log"),
        "--pidfile", str(data / "redis.pid"),
        external=True,
    )  # fmt: skip
    for _ in range(30):
        if _redis_answers():
            return
        time.sleep(0.5)
    session.error(f"Redis did not start; see {data / 'redis.log'}")
