"""The processes of tools/topology.py: PostgreSQL, Redis, an SMTP sink, nginx
and the site's own processes from deploy/Procfile, each on loopback, each
one that can be killed and started again."""

from __future__ import annotations

import email
import email.policy
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from string import Template

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SITE = ROOT / "example_site"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(test, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if test():
            return
        time.sleep(0.2)
    raise SystemExit(f"{what} did not come up within {seconds:.0f} s")


# --- deploy/ files ---------------------------------------------------------------


def read_procfile(path: Path = DEPLOY / "Procfile") -> dict[str, str]:
    """``name: command`` lines of a Procfile (comments and blank lines skipped)."""
    processes = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"([A-Za-z0-9_-]+):\s*(.+)", line.strip())
        if match and not line.lstrip().startswith("#"):
            processes[match.group(1)] = match.group(2)
    return processes


class NginxTemplate(Template):
    delimiter = "@"  # nginx uses "$" for its own variables


def render_nginx(values: Mapping[str, str], path: Path = DEPLOY / "nginx.conf") -> str:
    """deploy/nginx.conf with every ``@{name}`` filled in (a missing one is a KeyError)."""
    return NginxTemplate(path.read_text(encoding="utf-8")).substitute(values)


# --- processes ---------------------------------------------------------------------


class Process:
    """One command in its own process group: start, kill (the whole group), restart."""

    def __init__(self, name: str, command: list[str], *, env: dict, cwd: Path, log: Path):
        self.name, self.command, self.env, self.cwd, self.log = name, command, env, cwd, log
        self.popen: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.starts += 1

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.popen is None:
            return
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


def procfile_process(name: str, line: str, *, env: dict, workdir: Path) -> Process:
    # exec: the shell becomes the process, so a signal reaches it directly.
    return Process(
        name, ["sh", "-c", f"exec {line}"], env=env, cwd=SITE, log=workdir / f"{name}.log"
    )


class Supervisor(threading.Thread):
    """Starts a process again when it exits (systemd's Restart=always), unless held."""

    def __init__(self, processes: list[Process], events: list) -> None:
        super().__init__(daemon=True)
        self.processes, self.events = processes, events
        self.held: set[str] = set()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            for process in self.processes:
                if process.name not in self.held and not process.alive():
                    code = process.popen.returncode if process.popen else None
                    self.events.append((time.time(), f"{process.name} exited ({code}), restarted"))
                    process.start()


# --- PostgreSQL and Redis ------------------------------------------------------------


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        raise SystemExit("PostgreSQL is not installed (nox -s topology installs it)")
    return Path(found[-1]).parent


class Postgres:
    """A throwaway cluster in the work directory (trust on loopback, fsync off)."""

    def __init__(self, workdir: Path) -> None:
        self.bin, self.port = pg_bin(), free_port()
        self.data = workdir / "pg"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # initdb and the server refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        # Output to a file, not a pipe: the server pg_ctl starts inherits it and
        # would keep a pipe open for ever.
        with (self.data.parent / "pg_ctl.log").open("ab") as log:
            subprocess.run(command, check=True, stdout=log, stderr=subprocess.STDOUT)

    def start(self) -> None:
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir()
            if os.geteuid() == 0:
                shutil.chown(self.data, "postgres", "postgres")
            self._run(
                "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"
            )
        options = f"-h 127.0.0.1 -p {self.port} -k {self.data} -c fsync=off -c max_connections=100"
        log = str(self.data / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def restart(self) -> None:
        log = str(self.data / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-m", "fast", "-w", "restart")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


def redis_process(workdir: Path) -> tuple[Process, int]:
    port = free_port()
    command = [
        shutil.which("redis-server") or "redis-server",
        "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
        "--dir", str(workdir),
    ]  # fmt: skip
    log = workdir / "redis.log"
    return Process("redis", command, env=dict(os.environ), cwd=workdir, log=log), port


# --- SMTP sink -----------------------------------------------------------------------


class MailSink:
    """aiosmtpd on loopback: keeps (recipients, subject) of every message received."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.messages: list[tuple[tuple[str, ...], str]] = []
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((tuple(sorted(envelope.rcpt_tos)), str(message["Subject"])))
        return "250 OK"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def self_signed_certificate(workdir: Path) -> tuple[Path, Path]:
    cert, key = workdir / "tls.crt", workdir / "tls.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key
