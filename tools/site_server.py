"""The reference site under gunicorn on a free loopback port, for the
benchmark, the fuzzer and the load test."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SITE = Path(__file__).resolve().parent.parent / "example_site"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_site(
    env: dict[str, str], *, workers: int = 2, log: Path | None = None
) -> tuple[subprocess.Popen, str]:
    """Start gunicorn (sync workers) with ``env``; wait until ``/health/``
    answers. Returns the server process and its base URL."""
    port = free_port()
    output = log.open("ab") if log is not None else None
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "example_site.wsgi:application",
            "--workers", str(workers), "--worker-class", "sync",
            "--bind", f"127.0.0.1:{port}", "--timeout", "30",
            "--log-level", "warning", "--chdir", str(SITE), "--preload",
        ],
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if output is not None else None,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}" + _see(log))
        try:
            with urllib.request.urlopen(f"{base}/health/", timeout=2):
                return server, base
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /health/ within 30 s" + _see(log))


def _see(log: Path | None) -> str:
    return f"; see {log}" if log is not None else ""
