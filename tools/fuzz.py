"""Fuzz the whole API with schemathesis, run by ``nox -s fuzz``.

Starts the reference site (gunicorn, DEBUG off, fresh SQLite file, demo
data, no rate limits) on a loopback port, then runs schemathesis over the
OpenAPI schema once anonymously and once per role with that demo user's
token. Checks: no server errors, responses match the schema, and status
codes the schema declares. Exits non-zero when any run finds a failure.

    python tools/fuzz.py [--max-examples N] [--only anonymous,customer]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from site_server import free_port, start_site

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "example_site"
IDENTITIES = {
    "anonymous": None,
    "customer": "customer@example.com",
    "supplier": "supplier@example.com",
    "specialist": "specialist@example.com",
    "manager": "admin@example.com",
}
DEMO_PASSWORD = "shop-demo-2026"  # example_site/demo/seed.py
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
# Operations that would end the run's own session.
EXCLUDE_AUTHENTICATED = r"/logout/$"
# Google login reaches out to Google, which here is a closed port: its documented
# answer is then a 503 provider_unavailable, which schemathesis counts as a server
# error. It is fuzzed in a run of its own without that check; a real 500 anywhere
# is caught in the server's log instead (SERVER_ERROR).
GOOGLE = r"/accounts/google/$"
SERVER_ERROR = "Server Error (500)"


def login(base: str, email: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/accounts/login/",
        data=json.dumps({"email": email, "password": DEMO_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["key"]


def download_schema(base: str, path: Path) -> Path:
    """The OpenAPI schema, generated once (it takes seconds on a busy machine)."""
    with urllib.request.urlopen(f"{base}/api/schema/?format=json", timeout=300) as response:
        path.write_bytes(response.read())
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--only", help="comma-separated identities")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="shop-fuzz-"))
    closed_proxy = f"http://127.0.0.1:{free_port()}"  # a port nothing listens on
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "example_site.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "fuzz-only-not-secret",
        "DATABASE_URL": f"sqlite:///{workdir / 'fuzz.sqlite3'}",
        "DJANGO_MEDIA_ROOT": str(workdir / "media"),
        "SHOP_THROTTLING": "off",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        # Nothing leaves the machine: calls out (Google login) meet a closed
        # loopback port instead of the Internet.
        "HTTP_PROXY": closed_proxy,
        "HTTPS_PROXY": closed_proxy,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=SITE, env=env, check=True)
    subprocess.run(
        [*manage, "demo_data", "--i-know-this-is-not-production"],  # a throwaway database
        cwd=SITE,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )

    server_log = workdir / "server.log"  # the site's log lines, apart from the fuzzer's report
    server, base = start_site(env, log=server_log)
    try:
        wanted = args.only.split(",") if args.only else list(IDENTITIES)
        # Tokens first, before the anonymous run fuzzes login and password reset.
        tokens = {name: login(base, IDENTITIES[name]) for name in wanted if IDENTITIES[name]}
        schema = download_schema(base, workdir / "schema.json")
        failed = []
        for identity in wanted:
            command = st_command(schema, base, CHECKS, args.max_examples)
            if identity in tokens:
                command += ["-H", f"Authorization: Token {tokens[identity]}"]
                command += ["--exclude-path-regex", f"({EXCLUDE_AUTHENTICATED})|({GOOGLE})"]
            else:
                command += ["--exclude-path-regex", GOOGLE]
            print(f"\n=== schemathesis as {identity} ===", flush=True)
            if not run_schemathesis(command, workdir):
                failed.append(identity)
        google = st_command(
            schema, base, "response_schema_conformance,status_code_conformance", args.max_examples
        )
        google += ["--include-path-regex", GOOGLE]
        print("\n=== schemathesis on Google login (Google out of reach) ===", flush=True)
        if subprocess.run(google, cwd=workdir).returncode != 0:
            failed.append("google")
        if SERVER_ERROR in server_log.read_text(errors="replace"):
            failed.append("a 500 in the server's log")
    finally:
        server.terminate()
        server.wait(timeout=30)
    if failed:
        print(f"\nFuzzing found failures as: {', '.join(failed)}")
        print_server_errors(server_log)
        return 1
    print("\nFuzzing found no failures.")
    return 0


# A CPython 3.11 bug Hypothesis can meet while describing a strategy (not a
# finding about the API): the run is repeated once when it is all that went wrong.
TOOL_BUG = "AST constructor recursion depth mismatch"


def run_schemathesis(command: list[str], workdir: Path) -> bool:
    """Run ``command``, printing its output; True when it passed."""
    for attempt in (1, 2):
        result = subprocess.run(command, cwd=workdir, stdout=subprocess.PIPE, text=True)
        print(result.stdout, flush=True)
        if result.returncode == 0:
            return True
        only_the_tool_bug = TOOL_BUG in result.stdout and "Failures:" not in result.stdout
        if attempt == 2 or not only_the_tool_bug:
            return False
        print(f"=== the run met only a tool error ({TOOL_BUG}); once more ===", flush=True)
    return False


def st_command(schema: Path, base: str, checks: str, max_examples: int) -> list[str]:
    """schemathesis over ``schema`` against ``base`` with a fixed seed (CI replays it)."""
    return [
        "st", "run", str(schema), "--url", base, "--checks", checks,
        "--max-examples", str(max_examples), "--phases", "examples,coverage,fuzzing",
        "--workers", "2", "--seed", "2026", "--request-timeout", "30",
    ]  # fmt: skip


def print_server_errors(log: Path, limit: int = 200) -> None:
    """The server's ERROR records with their tracebacks (the first ``limit`` lines)."""
    lines, keep = [], False
    for line in log.read_text(errors="replace").splitlines():
        if " ERROR " in line or " CRITICAL " in line:
            keep = True
        elif " WARNING " in line or " INFO " in line:
            keep = False
        if keep:
            lines.append(line)
    print(f"\nServer errors ({log}):" if lines else f"\nNo server errors in {log}.")
    print("\n".join(lines[:limit]))


if __name__ == "__main__":
    sys.exit(main())
