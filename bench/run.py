"""The benchmark of BENCH-WORKLOAD.md, run by ``nox -s bench``.

Seeds the workload into a fresh SQLite file, checks every scenario once
with the test client (status, body, SQL queries of a second request),
starts gunicorn (2 sync workers, preloaded, DEBUG off) on loopback, loads each
scenario with wrk (-t2 -c8 -d10s --latency; S6 -t8 -c8), and prints a
table that it also writes to bench/results/bench.json. Every figure is
also given as a share of S0, the ceiling measured in the same run. The
catalogue scenarios run twice, with the catalogue's page cache on and off
(each server's own S0 beside them).

Also printed: the import of the 10,000-goods price list (a YAML file, cold,
unchanged and changed, goods/s including parsing) and the single-request
time of every product-list filter.

``--scale 10``: the workload at ten times the products and shops on the
PostgreSQL server of ``DATABASE_URL`` (the nox session starts one): the
import and the filters, one request at a time, no wrk.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "example_site"
RESULTS = ROOT / "bench" / "results"
sys.path[:0] = [str(SITE), str(ROOT)]
from tools.site_server import start_site  # noqa: E402

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
# A fresh file per run, so two runs at once never share (or delete) a database;
# removed at the end (``main``).
if "SHOP_BENCH_DB" not in os.environ:
    os.environ["SHOP_BENCH_DB"] = str(Path(tempfile.mkdtemp(prefix="shop-bench-")) / "db")


@dataclass
class Scenario:
    """One workload scenario: each wrk connection cycles through ``requests``."""

    name: str
    title: str
    requests: list[tuple[str, str, dict | None]]  # (method, path, JSON body)
    check: Callable[[dict], str | None]  # body of the last request -> error or None
    tokens: list[str] = field(default_factory=list)  # one per wrk thread; none: anonymous
    threads: int = 2
    script: str | None = None  # a wrk Lua script of its own, instead of cycling ``requests``
    warmup: list[tuple[str, str, dict | None]] | None = (
        None  # test-client warm-up; default requests
    )
    result: dict = field(default_factory=dict)


def parse_wrk(output: str) -> dict:
    def ms(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output, re.M))
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": float(rps.group(1)) if rps else 0.0,
        "p50_ms": ms(latency["50"]) if "50" in latency else None,
        "p99_ms": ms(latency["99"]) if "99" in latency else None,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def lua_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def wrk_script(scenario: Scenario) -> str:
    """Each thread takes its own token; each connection cycles the requests."""
    if scenario.script:
        return scenario.script
    tokens = ", ".join(lua_string(t) for t in scenario.tokens)
    requests = ", ".join(
        "{{{}, {}, {}}}".format(
            lua_string(method),
            lua_string(path),
            lua_string(json.dumps(body, ensure_ascii=False)) if body is not None else "nil",
        )
        for method, path, body in scenario.requests
    )
    return f"""
local tokens = {{{tokens}}}
local requests = {{{requests}}}
local threads = 0
function setup(thread)
  threads = threads + 1
  if #tokens > 0 then thread:set("token", tokens[(threads - 1) % #tokens + 1]) end
end
local step = 0
function request()
  local r = requests[step % #requests + 1]
  local headers = {{}}
  if token then headers["Authorization"] = "Token " .. token end
  if r[3] then headers["Content-Type"] = "application/json" end
  return wrk.format(r[1], r[2], headers, r[3])
end
-- The cycle moves on an answer, not on a request built: wrk builds one
-- request before the run to check the script, which would otherwise make a
-- connection's first request its second step (a checkout of an empty cart).
function response(status, headers, body) step = step + 1 end
"""


def run_wrk(base: str, scenario: Scenario, duration: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as script:
        script.write(wrk_script(scenario))
    command = [
        "wrk",
        f"-t{scenario.threads}",
        "-c8",
        f"-d{duration}",
        "--latency",
        "-s",
        script.name,
        base + scenario.requests[0][1],
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    return parse_wrk(output)


def worker_rss_kb(master_pid: int, field: str = "VmHWM") -> list[int]:
    """Each worker's peak (``VmHWM``) or current (``VmRSS``) resident memory, in kB."""
    return [
        int(re.search(rf"{field}:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))
        for pid in _workers(master_pid)
    ]


def worker_private_kb(master_pid: int) -> list[int]:
    """Each worker's own resident memory (kB), not shared with the master or
    the other worker: what one more worker costs. RSS counts the pages shared
    since the fork (gunicorn's preload) in every worker."""
    sizes = []
    for pid in _workers(master_pid):
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        sizes.append(sum(int(kb) for kb in re.findall(r"Private_(?:Clean|Dirty):\s+(\d+)", rollup)))
    return sizes


def _workers(master_pid: int) -> list[str]:
    return subprocess.run(
        ["pgrep", "-P", str(master_pid)], capture_output=True, text=True
    ).stdout.split()


CATALOGUE = {"S0", "S1", "S2", "S3"}  # run again with the page cache off
# BENCH-WORKLOAD.md: the share of S0 each scenario should reach (the peer's times a factor)
TARGETS = {"S1": 0.22, "S2": 0.17, "S3": 0.15, "S4": 0.09, "S5": 0.08, "S6": 0.035}
RSS_TARGET_MB = 80


def serve(
    scenarios: list[Scenario], duration: str, cache: str
) -> tuple[list[dict], list[int], list[int], list[int]]:
    """Load ``scenarios`` on a fresh gunicorn with the catalogue cache ``on``/``off``;
    rows with shares of this server's own S0, and its workers' RSS (kB) after
    start-up (one has answered ``/health/``) and at their peak, and their own
    memory (kB) at the end."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SITE), str(ROOT)]),
        "SHOP_BENCH_CATALOG_CACHE": cache,
    }
    server, base = start_site(env)
    started = worker_rss_kb(server.pid, "VmRSS")
    results = []
    try:
        for scenario in scenarios:
            print(f"wrk {scenario.name} {scenario.title} (cache {cache}) ...", flush=True)
            results.append({**scenario.result, **run_wrk(base, scenario, duration)})
            # which scenario lifts the workers' peak
            results[-1]["peak_rss_mb"] = round(max(worker_rss_kb(server.pid)) / 1024, 1)
        peaks = worker_rss_kb(server.pid)
        private = worker_private_kb(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    ceiling = results[0]["rps"] or 1.0
    rows = [
        {
            "name": scenario.name,
            "title": scenario.title,
            "cache": cache,
            **result,
            "share_of_ceiling": round(result["rps"] / ceiling, 4),
        }
        for scenario, result in zip(scenarios, results, strict=True)
    ]
    return rows, started, peaks, private


def fresh_postgres_database() -> None:
    """Point DATABASE_URL at a new, empty database of its server (the name + "_bench")."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    server, _slash, name = url.rpartition("/")
    bench = f"{name or 'shop'}_bench"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{bench}"')
    os.environ["DATABASE_URL"] = f"{server}/{bench}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", default="10s", help="wrk duration per scenario")
    parser.add_argument("--only", help="comma-separated scenario names, e.g. S0,S1")
    parser.add_argument(
        "--scale", type=int, default=1, help="times the workload's products and shops"
    )
    parser.add_argument(
        "--cache", choices=["both", "on", "off"], default="both", help="catalogue page cache"
    )
    args = parser.parse_args()

    import django

    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.scale > 1 and not os.environ.get("DATABASE_URL"):
        raise SystemExit("--scale needs DATABASE_URL (nox -s bench -- --scale 10 starts one)")
    if os.environ.get("DATABASE_URL"):
        fresh_postgres_database()
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench import workload

    call_command("migrate", verbosity=0)
    seeded = workload.seed(args.scale)
    report = {
        "workload": "BENCH-WORKLOAD.md",
        "database": connection.vendor,
        "scale": args.scale,
        "seed": seeded.summary,
        "imports": seeded.imports,
        "filters": workload.filters(seeded),
    }
    if args.scale == 1:
        report.update(load(seeded, args))
    connection.close()
    if Path(os.environ["SHOP_BENCH_DB"]).parent.name.startswith("shop-bench-"):
        shutil.rmtree(Path(os.environ["SHOP_BENCH_DB"]).parent, ignore_errors=True)
    (RESULTS / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_report(report)


def load(seeded: Any, args: argparse.Namespace) -> dict:
    """The wrk part: every scenario with the cache on, the catalogue ones again with it off."""
    from bench import workload

    scenarios = workload.scenarios(seeded)
    if args.only:
        wanted = set(args.only.split(","))
        scenarios = [s for s in scenarios if s.name in wanted or s.name == "S0"]
    for scenario in scenarios:
        scenario.result.update(workload.check(scenario))
    rows: list[dict] = []
    started: list[int] = []
    peaks: list[int] = []
    private: list[int] = []
    for cache in ("on", "off"):
        if args.cache not in ("both", cache):
            continue
        # with the cache off, only the scenarios it changes run again
        run = scenarios if not rows else [s for s in scenarios if s.name in CATALOGUE]
        ran, worker_started, worker_peaks, worker_private = serve(run, args.duration, cache)
        rows += ran
        started, peaks = started or worker_started, peaks or worker_peaks
        private = private or worker_private
    return {
        "server": "gunicorn, 2 sync workers, preloaded, DEBUG off, 127.0.0.1",
        "load": f"wrk -t2 -c8 -d{args.duration} --latency (S6: -t8 -c8)",
        "scenarios": rows,
        "rss_per_worker_after_start_mb": [round(kb / 1024, 1) for kb in started],
        "peak_rss_per_worker_mb": [round(kb / 1024, 1) for kb in peaks],
        "private_per_worker_mb": [round(kb / 1024, 1) for kb in private],
        # DRF imports django.contrib.postgres whenever psycopg is installed
        "psycopg_installed": find_spec("psycopg") is not None,
    }


def print_report(report: dict) -> None:
    print()
    print(f"database: {report['database']}, scale: {report['scale']}x")
    for key, value in report["seed"].items():
        print(f"{key}: {value}")
    print()
    print(f"{'price-list import (YAML file, parsing included)':<52}{'s':>8}{'goods/s':>10}")
    for row in report["imports"]:
        print(f"{row['name']:<52}{row['seconds']:>8.2f}{row['goods_per_s']:>10.0f}")
    print()
    print(
        f"{'product-list filter (one request, cache off)':<52}{'median ms':>10}{'count':>8}"
        f"{'paging ms':>11}"
    )
    for row in report["filters"]:
        paging = row.get("paging_ms")
        print(
            f"{row['name']:<52}{row['median_ms']:>10.2f}{row['count']:>8}"
            f"{'-' if paging is None else f'{paging:.2f}':>11}"
        )
    print("paging ms: pages 2-8 with the cache on (the COUNT cached at page 1, each page read)")
    if "scenarios" in report:
        print_table(report)


def print_table(report: dict) -> None:
    print()
    header = (
        f"{'':4}{'scenario':<44}{'cache':>6}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'of S0':>8}{'SQL':>5}{'non2xx':>8}{'1-req ms':>10}{'peak MB':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in report["scenarios"]:
        print(
            f"{row['name']:<4}{row['title']:<44}{row['cache']:>6}{row['rps']:>9.1f}"
            f"{row['p50_ms'] or 0:>9.2f}{row['p99_ms'] or 0:>9.2f}{row['share_of_ceiling']:>8.1%}"
            f"{row.get('queries', 0):>5}{row['non_2xx']:>8}{row.get('single_ms', '-'):>10}"
            f"{row.get('peak_rss_mb', '-'):>9}"
        )
    print("SQL: queries of a second request through the test client (cache off)")
    print("1-req ms: median of one request at a time through the test client (cache off)")
    print("peak MB: the larger worker's peak RSS once the scenario has run")
    sizes = {row["name"]: row["bytes"] for row in report["scenarios"] if row.get("bytes")}
    print("body bytes: " + ", ".join(f"{name} {size:,}" for name, size in sizes.items()))
    print(f"RSS per worker after start-up (MB): {report['rss_per_worker_after_start_mb']}")
    print(f"peak RSS per worker (MB): {report['peak_rss_per_worker_mb']}")
    print(
        f"own memory per worker at the end (MB): {report['private_per_worker_mb']}"
        " (not shared with the preloaded master: what one more worker costs)"
    )
    if report["psycopg_installed"] and report["database"] == "sqlite":
        print("psycopg is installed: DRF loads it in every worker (about 11 MB) on SQLite too")
    print_targets(report)
    print(f"written to {RESULTS / 'bench.json'}")


def print_targets(report: dict) -> None:
    """The closing note: each figure against the target of BENCH-WORKLOAD.md."""
    shares = {(row["name"], row["cache"]): row["share_of_ceiling"] for row in report["scenarios"]}
    print()
    print(f"{'target (BENCH-WORKLOAD.md)':<30}{'goal':>8}{'cache on':>10}{'cache off':>11}  met")
    for name, goal in TARGETS.items():
        on, off = shares.get((name, "on")), shares.get((name, "off"), shares.get((name, "on")))
        if on is None and off is None:
            continue
        figures = [f for f in (on, off) if f is not None]
        met = "yes" if min(figures) >= goal else ("cache on" if max(figures) >= goal else "no")
        print(
            f"{name + ' share of S0':<30}{goal:>8.1%}{on if on is None else f'{on:.1%}':>10}"
            f"{off if off is None else f'{off:.1%}':>11}  {met}"
        )
    peak = max(report["peak_rss_per_worker_mb"], default=0)
    met = "yes" if peak <= RSS_TARGET_MB else "no"
    print(f"{'peak RSS per worker (MB)':<30}{RSS_TARGET_MB:>8}{peak:>10}{'':>11}  {met}")


if __name__ == "__main__":
    main()
