"""The production topology on loopback, under load and faults (``nox -s topology``).

1. Starts PostgreSQL (a throwaway cluster), Redis (the shared cache), an SMTP
   sink (aiosmtpd), and from deploy/: two app servers (gunicorn, the
   production profile), the task worker and the periodic runner (the
   Procfile's lines; a process that exits is started again, as systemd
   would) and nginx (deploy/nginx.conf: TLS, static and media files).
   Seeds the catalogue, customers and specialists as tools/load.py does.
2. Runs tools/locustfile.py through nginx for ``--duration`` and meanwhile:
   kills one app server and starts it again, restarts Redis, kills the
   worker in the middle of a price-list import and starts it again,
   restarts PostgreSQL. Each fault's errors and time to recover are measured
   (until every app server answers ``/health/`` again).
3. Checks: every accepted order exists with its lines and stock taken once,
   no stock below zero, no overlapping bookings (tools/load.py's checks);
   every order and booking e-mail the site marked sent reached the sink
   exactly once, and none is left unsent; the import finished once; the
   login lockout holds across both app servers; static and media files come
   from nginx; the site sees https through the proxy; every fault recovered
   from. Prints throughput, p50/p99, each fault's errors and time to
   recover and the errors outside them, writes JSON (``--json``), and exits
   1 on any failure.

    python tools/topology.py [--duration 10m] [--users 20]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import secrets
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from load import LOCUSTFILE, check_consistency, seconds, seed, summarize
from topology_services import (
    SITE,
    MailSink,
    Postgres,
    Supervisor,
    procfile_process,
    read_procfile,
    redis_process,
    render_nginx,
    self_signed_certificate,
    wait_for,
)

DATABASE = "shop_topology"
LOCKOUT_EMAIL = "customer@example.com"  # a demo user with the published demo password
DEMO_PASSWORD = "shop-demo-2026"
GRACE = 10.0  # seconds after recovery still counted as the fault's
FAULTS = (
    "app server killed",
    "Redis restarted",
    "worker killed mid-import",
    "PostgreSQL restarted",
)
UNVERIFIED = ssl.create_default_context()
UNVERIFIED.check_hostname = False
UNVERIFIED.verify_mode = ssl.CERT_NONE


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=seconds, default=600, help="load time (60, 90s, 10m)")
    parser.add_argument("--users", type=int, default=20, help="concurrent locust users")
    parser.add_argument("--customers", type=int, default=40, help="seeded customers")
    parser.add_argument("--goods", type=int, default=2000, help="products in the catalogue")
    parser.add_argument(
        "--import-goods", type=int, default=8000, help="goods of the import the worker runs"
    )
    parser.add_argument("--json", type=Path, help="where to write the results")
    args = parser.parse_args()
    if args.duration < 40:
        parser.error("--duration must leave room for the four faults: 40 s at least")
    args.wait, args.spawn_rate = [0.1, 0.5], 5
    return args


def http_status(url: str, headers: dict | None = None, data: bytes | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=5, context=UNVERIFIED) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # the 301 itself is what is checked
        return None


class Prober(threading.Thread):
    """``/health/`` of each app server (as nginx's peer would ask it) every 0.25 s."""

    def __init__(self, ports: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.ports, self.samples = ports, []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(0.25):
            for name, port in self.ports.items():
                status = http_status(
                    f"http://127.0.0.1:{port}/health/", {"X-Forwarded-Proto": "https"}
                )
                self.samples.append((time.time(), name, status))

    def healthy(self) -> bool:
        latest = {name: status for _t, name, status in self.samples[-2 * len(self.ports) :]}
        return len(latest) == len(self.ports) and all(s == 200 for s in latest.values())


# --- the import the worker is killed in ----------------------------------------------


def submit_import(goods: int) -> int:
    """Queue a price list too large for the request (it goes to the worker); its job id."""
    import random

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from load import generate_pricelists

    from shop_catalog.models import Shop
    from shop_catalog.services.import_jobs import submit_import as submit

    pricelist = generate_pricelists(goods, random.Random(7))[0]
    pricelist["shop"] = "Topology import shop"
    for item in pricelist["goods"]:
        item["id"] += 1_000_000  # goods of their own, not the load's
        item["model"] = "topology/" + item["model"]
    shop, _ = Shop.objects.get_or_create(name=pricelist["shop"])
    upload = SimpleUploadedFile("pricelist.json", json.dumps(pricelist).encode())
    with transaction.atomic():  # the task is queued when this commits
        job, queued = submit(shop=shop, user=None, fmt="json", upload=upload)
    if not queued:
        raise SystemExit(f"the import was not queued: {job.status} {job.errors}")
    return job.pk


def job_status(job_id: int) -> str:
    from django.db import connections

    from shop_catalog.models import ImportJob

    try:
        return ImportJob.objects.values_list("status", flat=True).get(pk=job_id)
    finally:
        connections.close_all()


# --- faults -----------------------------------------------------------------------------


class Faults:
    def __init__(self, topology: dict, args: argparse.Namespace) -> None:
        self.t, self.args = topology, args
        self.log: list[dict] = []

    def recover(self, name: str, started: float, note: str = "", test=None) -> None:
        test = test or self.t["prober"].healthy
        deadline = started + 120
        while time.time() < deadline and not test():
            time.sleep(0.25)
        recovered = time.time() if test() else None
        self.log.append({"fault": name, "at": started, "recovered": recovered, "note": note})
        took = f"{recovered - started:.1f} s" if recovered else "NOT within 120 s"
        print(f"  fault: {name}: recovered in {took}. {note}", flush=True)

    def app_server(self) -> None:
        web, supervisor = self.t["web"][0], self.t["supervisor"]
        started = time.time()
        supervisor.held.add(web.name)
        web.kill(signal.SIGKILL)
        time.sleep(3)
        web.start()
        supervisor.held.discard(web.name)
        self.recover(FAULTS[0], started, "SIGKILL to gunicorn and its workers, started after 3 s")

    def redis(self) -> None:
        redis = self.t["redis"]
        started = time.time()
        redis.kill(signal.SIGTERM)
        time.sleep(1)
        redis.start()
        self.recover(FAULTS[1], started, "stopped, started after 1 s (the cache is empty again)")

    def worker(self) -> None:
        worker, supervisor = self.t["worker"], self.t["supervisor"]
        job_id = submit_import(self.args.import_goods)
        self.t["import_job"] = job_id
        deadline = time.time() + 60
        status = job_status(job_id)
        while status == "pending" and time.time() < deadline:
            time.sleep(0.05)
            status = job_status(job_id)
        time.sleep(0.3)
        started = time.time()
        supervisor.held.add(worker.name)
        worker.kill(signal.SIGKILL)
        killed_in = job_status(job_id)
        self.t["import_status_at_kill"] = killed_in
        time.sleep(2)
        worker.start()
        supervisor.held.discard(worker.name)
        self.recover(
            FAULTS[2],
            started,
            f"import job {job_id} was {status!r} when the kill was sent, {killed_in!r} after it",
            test=worker.alive,
        )

    def postgres(self) -> None:
        started = time.time()
        self.t["postgres"].restart()
        self.recover(FAULTS[3], started, "pg_ctl restart -m fast (every connection dropped)")


# --- checks after the load ---------------------------------------------------------------


def drain(seconds_left: float = 120) -> list[str]:
    """Wait until the worker's queue is empty and nothing due is left unsent."""
    from django.db import connections
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from shop_bookings.selectors import deliverable_notifications
    from shop_orders.models import Notification

    deadline = time.time() + seconds_left
    while True:
        now = timezone.now()
        left = {
            "queued tasks": DBTaskResult.objects.ready().count(),
            "unsent order e-mails": Notification.objects.filter(
                sent_at__isnull=True, due__lte=now
            ).count(),
            "unsent booking e-mails": deliverable_notifications(now=now)
            .filter(sent_at__isnull=True, due__lte=now)
            .count(),
        }
        connections.close_all()
        if not any(left.values()):
            return []
        if time.time() > deadline:
            return [f"after {seconds_left:.0f} s still {left}"]
        time.sleep(1)


def rendered_mail() -> Counter:
    """(recipients, subject) of every order and booking e-mail marked sent, rendered
    again by the packages' own notifiers into a local outbox."""
    from django.core import mail
    from django.test import override_settings

    from shop_bookings.models import BookingNotification
    from shop_bookings.services.notifications import notify
    from shop_orders.conf import app_settings as orders_settings
    from shop_orders.models import Notification
    from shop_orders.services.notifications import _send

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        for pk in Notification.objects.filter(sent_at__isnull=False).values_list("pk", flat=True):
            _send(orders_settings.NOTIFIER(), pk)
        for pk in BookingNotification.objects.filter(sent_at__isnull=False).values_list(
            "pk", flat=True
        ):
            notify(pk)
        return Counter((tuple(sorted(m.to)), str(m.subject)) for m in mail.outbox)


def check_mail(sink: MailSink) -> tuple[list[str], dict]:
    expected = rendered_mail()
    received = Counter(sink.messages)
    bad = [
        f"{subject!r} to {', '.join(to)}: sent {n} time(s), {expected[(to, subject)]} expected"
        for (to, subject), n in received.items()
        if (to, subject) in expected and n != expected[(to, subject)]
    ]
    missing = [
        f"{subject!r} to {', '.join(to)}"
        for (to, subject) in expected
        if (to, subject) not in received
    ]
    failures = []
    if bad:
        failures.append(f"e-mails not delivered exactly once: {bad[:10]}")
    if missing:
        failures.append(f"e-mails marked sent that never reached the sink: {missing[:10]}")
    figures = {
        "order_and_booking_emails": sum(expected.values()),
        "received": sum(received.values()),
        "other_emails": sum(n for key, n in received.items() if key not in expected),
    }
    return failures, figures


def check_import(job_id: int, seconds_left: float = 120) -> tuple[list[str], str]:
    """The import the killed worker was running: taken up again after its lease
    (``run_periodic`` queues it, the claim takes it) and finished once."""
    from django.db import connections

    from shop_catalog.models import ImportJob, Offer

    deadline = time.time() + seconds_left
    while True:
        job = ImportJob.objects.get(pk=job_id)
        offers = Offer.objects.filter(shop=job.shop).count()
        connections.close_all()
        text = f"import job {job_id}: {job.status}, {offers} offers, summary {job.summary}"
        if job.status == ImportJob.Status.SUCCEEDED and job.finished:
            return [], text
        if job.status == ImportJob.Status.FAILED or time.time() > deadline:
            return [f"import did not finish once: {text}"], text
        time.sleep(1)


def check_lockout(ports: list[int]) -> list[str]:
    """Wrong passwords for one account, each to the other app server, then the right one."""

    def login(port: int, password: str) -> int:
        return http_status(
            f"http://127.0.0.1:{port}/api/v1/accounts/login/",
            {"Content-Type": "application/json", "X-Forwarded-Proto": "https"},
            json.dumps({"email": LOCKOUT_EMAIL, "password": password}).encode(),
        )

    wrong = [login(ports[n % 2], "not-the-password") for n in range(8)]
    right = login(ports[0], DEMO_PASSWORD)
    if wrong != [400] * 5 + [429] * 3 or right != 429:
        return [f"login lockout across the app servers: wrong {wrong}, then right {right}"]
    return []


def check_proxy(base: str, app_port: int, media_root: Path) -> list[str]:
    failures = []
    (media_root / "topology").mkdir(parents=True, exist_ok=True)
    (media_root / "topology" / "check.txt").write_text("media", encoding="utf-8")
    for path in ("/static/admin/css/base.css", "/media/topology/check.txt"):
        if http_status(base + path) != 200:
            failures.append(f"nginx does not serve {path}")
    with urllib.request.urlopen(f"{base}/health/", context=UNVERIFIED, timeout=5) as response:
        if "max-age" not in (response.headers.get("Strict-Transport-Security") or ""):
            failures.append("the site does not see https behind nginx (no HSTS header)")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(f"http://127.0.0.1:{app_port}/health/", timeout=5)
        failures.append("plain http straight to an app server was not redirected")
    except urllib.error.HTTPError as error:
        if error.code != 301:
            failures.append(f"plain http straight to an app server: {error.code}, expected 301")
    return failures


def fault_report(faults: list[dict], record: dict) -> tuple[list[dict], dict, list[str]]:
    """Errors of the load per fault window (fault -> recovered + GRACE), those outside
    any (reported: an error is not a loss; the data checks judge losses), and the
    faults the site did not recover from (failures)."""
    windows = [(f["at"], (f["recovered"] or f["at"] + 120) + GRACE) for f in faults]
    per_fault = [Counter() for _ in faults]
    outside = Counter()
    for group, name, status, _ms, outcome, at in record["samples"]:
        if outcome != "error":
            continue
        label = f"{group}: {name} {status}"
        # The latest fault whose window holds it (windows may overlap).
        hit = [n for n, (start, end) in enumerate(windows) if start <= at <= end]
        if hit:
            per_fault[hit[-1]][label] += 1
        else:
            outside[label] += 1
    rows = [
        {
            "fault": f["fault"],
            "at_s": round(f["at"] - record["started"], 1),
            "recovered_s": round(f["recovered"] - f["at"], 1) if f["recovered"] else None,
            "errors": sum(errors.values()),
            "error_kinds": dict(errors.most_common()),
            "note": f["note"],
        }
        for f, errors in zip(faults, per_fault, strict=True)
    ]
    failures = [f"{r['fault']}: no recovery within 120 s" for r in rows if r["recovered_s"] is None]
    return rows, dict(outside.most_common()), failures


# --- main ---------------------------------------------------------------------------------


def main() -> int:
    args = parse_args()
    begun = time.time()
    workdir = Path(tempfile.mkdtemp(prefix="shop-topology-"))
    workdir.chmod(0o755)  # nginx's workers (nobody) read static and media files under it
    print(f"Topology: work files in {workdir}", flush=True)
    topology: dict = {}
    cleanup: list = []
    try:
        return run(args, workdir, topology, cleanup, begun)
    finally:
        for stop in reversed(cleanup):
            try:
                stop()
            except Exception as exc:  # shutting down: report and go on
                print(f"(while stopping: {exc})")


def run(args, workdir: Path, topology: dict, cleanup: list, begun: float) -> int:
    import psycopg

    postgres = topology["postgres"] = Postgres(workdir)
    postgres.start()
    cleanup.append(postgres.stop)
    with psycopg.connect(postgres.url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    redis, redis_port = redis_process(workdir)
    topology["redis"] = redis
    redis.start()
    cleanup.append(redis.kill)
    sink = MailSink()
    sink.start()
    cleanup.append(sink.stop)

    static_root, media_root = workdir / "static", workdir / "media"
    common = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": postgres.url(DATABASE),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SHOP_TASKS_BACKEND": "database",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "DJANGO_MEDIA_ROOT": str(media_root),
        "DJANGO_STATIC_ROOT": str(static_root),
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_DEBUG": "0",
    }
    site_env = {
        **os.environ,
        **common,
        "DJANGO_SETTINGS_MODULE": "example_site.settings_production",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The load comes from one address: the general limits go up, the login
        # limits and the lockout stay as they are.
        "SHOP_THROTTLE_RATES": "anon=1000000/min,user=1000000/min,burst=1000000/min",
        "WEB_CONCURRENCY": "2",
        "PERIODIC_SECONDS": "10",
        # The import the killed worker held is taken up again 15 s later (30 min by default).
        "SHOP_IMPORT_LEASE_MINUTES": "0.25",
        "PYTHONUNBUFFERED": "1",
    }
    # This process seeds and checks through the development settings, same services.
    os.environ.update({**common, "DJANGO_SETTINGS_MODULE": "example_site.settings"})
    sys.path[:0] = [str(SITE), str(SITE.parent)]
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    wait_for(lambda: redis.alive() and _redis_ping(redis_port), 15, "Redis")
    config, snapshot = seed(args)
    call_command("collectstatic", "--noinput", verbosity=0, stdout=io.StringIO())
    connections.close_all()
    (workdir / "locust-config.json").write_text(json.dumps(config), encoding="utf-8")

    procfile = read_procfile()
    ports = [_port(), _port()]
    web = [
        procfile_process(
            f"web{n + 1}", procfile["web"], env={**site_env, "PORT": str(port)}, workdir=workdir
        )
        for n, port in enumerate(ports)
    ]
    worker = procfile_process("worker", procfile["worker"], env=site_env, workdir=workdir)
    periodic = procfile_process("periodic", procfile["periodic"], env=site_env, workdir=workdir)
    site_processes = [*web, worker, periodic]
    for process in site_processes:
        process.start()
        cleanup.append(process.kill)
    events: list = []
    supervisor = Supervisor(site_processes, events)
    topology.update(web=web, worker=worker, supervisor=supervisor)
    prober = topology["prober"] = Prober({p.name: port for p, port in zip(web, ports, strict=True)})
    prober.start()
    wait_for(prober.healthy, 60, "the app servers")
    supervisor.start()
    cleanup.append(supervisor.stopping.set)
    cleanup.append(prober.stopping.set)

    nginx_port = _port()
    cert, key = self_signed_certificate(workdir)
    run_dir = workdir / "nginx"
    run_dir.mkdir()
    servers = "\n        ".join(
        f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in ports
    )
    conf = run_dir / "nginx.conf"
    conf.write_text(
        render_nginx(
            {
                "run_dir": str(run_dir),
                "mime_types": "/etc/nginx/mime.types",
                "app_servers": servers,
                "listen": f"127.0.0.1:{nginx_port}",
                "server_name": "localhost",
                "tls_certificate": str(cert),
                "tls_certificate_key": str(key),
                "static_root": str(static_root),
                "media_root": str(media_root),
            }
        ),
        encoding="utf-8",
    )
    nginx = subprocess.Popen(
        ["nginx", "-p", str(run_dir), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=(run_dir / "nginx.out").open("wb"),
        start_new_session=True,
    )
    cleanup.append(lambda: (nginx.terminate(), nginx.wait(10)))
    base = f"https://127.0.0.1:{nginx_port}"
    wait_for(lambda: http_status(f"{base}/health/") == 200, 20, "nginx")
    print(f"Up: nginx {base}, app servers {ports}, worker, periodic", flush=True)

    # The load, with the faults at set points of it.
    results = workdir / "locust-results.json"
    load_env = {
        **os.environ,
        "LOAD_CONFIG": str(workdir / "locust-config.json"),
        "LOAD_RESULTS": str(results),
        "LOAD_TLS_NO_VERIFY": "1",
    }
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
        "--users", str(args.users), "--spawn-rate", str(args.spawn_rate),
        "--run-time", f"{args.duration}s", "--stop-timeout", "30", "--host", base,
        "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    print(f"Load: {args.users} users for {args.duration} s", flush=True)
    started = time.time()
    with (workdir / "locust.log").open("wb") as log:
        locust = subprocess.Popen(command, env=load_env, stdout=log, stderr=subprocess.STDOUT)
    faults = Faults(topology, args)
    for share, fault in zip(
        (0.12, 0.34, 0.56, 0.78),
        (faults.app_server, faults.redis, faults.worker, faults.postgres),
        strict=True,
    ):
        time.sleep(max(0.0, started + share * args.duration - time.time()))
        fault()
    try:
        locust.wait(timeout=args.duration + 120)
    except subprocess.TimeoutExpired:
        locust.kill()
    if not results.exists():
        print((workdir / "locust.log").read_text(errors="replace")[-3000:])
        print("locust wrote no results")
        return 1
    record = json.loads(results.read_text(encoding="utf-8"))
    summary = summarize(record)

    print("\nChecking ...", flush=True)
    connections.close_all()
    failures = drain()
    failures += check_consistency(snapshot, record, summary, responses=False)
    mail_failures, mail_figures = check_mail(sink)
    failures += mail_failures
    import_failures, import_text = check_import(topology["import_job"])
    failures += import_failures
    failures += check_lockout(ports)
    failures += check_proxy(base, ports[0], media_root)
    rows, outside, fault_failures = fault_report(faults.log, record)
    failures += fault_failures
    if summary["groups"]["all"]["requests"] == 0:
        failures.append("no request was sent")

    overall = summary["groups"]["all"]
    print(
        f"\nThroughput {overall['rps']} req/s over {summary['duration_s']} s "
        f"({overall['requests']} requests), p50 {overall['p50_ms']:.0f} ms, "
        f"p99 {overall['p99_ms']:.0f} ms; orders {summary['orders_seen']}, "
        f"bookings {summary['bookings_seen']}; e-mails {mail_figures}"
    )
    print(f"{'fault':<26} {'at s':>6} {'recovered s':>12} {'errors':>7}  kinds")
    for row in rows:
        recovered = "-" if row["recovered_s"] is None else f"{row['recovered_s']:.1f}"
        kinds = ", ".join(f"{k} x{v}" for k, v in row["error_kinds"].items()) or "-"
        print(f"{row['fault']:<26} {row['at_s']:>6} {recovered:>12} {row['errors']:>7}  {kinds}")
    print(f"errors outside the faults: {sum(outside.values())} {outside or ''}")
    print(import_text)
    for at, text in events:
        print(f"supervisor at {at - started:.1f} s: {text}")
    out = args.json or workdir / "topology.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "summary": summary,
                "faults": rows,
                "errors_outside_faults": outside,
                "mail": mail_figures,
                "import": import_text,
                "supervisor": [[round(at - started, 1), text] for at, text in events],
                "failures": failures,
                "total_s": round(time.time() - begun, 1),
            },
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    print(f"Results: {out}")
    if failures:
        print("\nTopology checks FAILED:")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    print(
        "\nTopology checks passed: orders, stock, bookings, e-mails exactly once, the import, "
        "the lockout across app servers, the proxy, recovery from every fault."
    )
    return 0


def _port() -> int:
    from topology_services import free_port

    return free_port()


def _redis_ping(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
