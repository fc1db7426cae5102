"""The benchmark of BENCH-WORKLOAD.md, run by ``nox -s bench``.

Seeds the workload into a fresh SQLite file, checks every scenario once
with the test client (status, body, SQL queries of a second request),
starts gunicorn (2 sync workers, DEBUG off) on loopback, loads each
scenario with wrk (-t2 -c8 -d10s --latency; S6 -t8 -c8), and prints a
table that it also writes to bench/results/bench.json. Every figure is
also given as a share of S0, the ceiling measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "example_site"
RESULTS = ROOT / "bench" / "results"
sys.path[:0] = [str(SITE), str(ROOT)]
from tools.site_server import start_site  # noqa: E402

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("SHOP_BENCH_DB", str(RESULTS / "bench.sqlite3"))


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
  step = step + 1
  local headers = {{}}
  if token then headers["Authorization"] = "Token " .. token end
  if r[3] then headers["Content-Type"] = "application/json" end
  return wrk.format(r[1], r[2], headers, r[3])
end
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


def worker_peak_rss_kb(master_pid: int) -> list[int]:
    children = subprocess.run(
        ["pgrep", "-P", str(master_pid)], capture_output=True, text=True
    ).stdout.split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)))
    return peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", default="10s", help="wrk duration per scenario")
    parser.add_argument("--only", help="comma-separated scenario names, e.g. S0,S1")
    args = parser.parse_args()

    import django

    RESULTS.mkdir(parents=True, exist_ok=True)
    db = Path(os.environ["SHOP_BENCH_DB"])
    db.unlink(missing_ok=True)
    django.setup()
    from django.core.management import call_command

    from bench import workload

    call_command("migrate", verbosity=0)
    seeded = workload.seed()
    scenarios = workload.scenarios(seeded)
    if args.only:
        wanted = set(args.only.split(","))
        scenarios = [s for s in scenarios if s.name in wanted or s.name == "S0"]
    for scenario in scenarios:
        scenario.result.update(workload.check(scenario))

    server, base = start_site({**os.environ, "PYTHONPATH": os.pathsep.join([str(SITE), str(ROOT)])})
    try:
        for scenario in scenarios:
            print(f"wrk {scenario.name} {scenario.title} ...", flush=True)
            scenario.result.update(run_wrk(base, scenario, args.duration))
        peaks = worker_peak_rss_kb(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    ceiling = scenarios[0].result["rps"] or 1.0
    rows = []
    for scenario in scenarios:
        result = scenario.result
        result["share_of_ceiling"] = round(result["rps"] / ceiling, 3)
        rows.append({"name": scenario.name, "title": scenario.title, **result})
    report = {
        "workload": "BENCH-WORKLOAD.md",
        "server": "gunicorn, 2 sync workers, SQLite file, DEBUG off, 127.0.0.1",
        "load": f"wrk -t2 -c8 -d{args.duration} --latency (S6: -t8 -c8)",
        "seed": seeded.summary,
        "scenarios": rows,
        "peak_rss_per_worker_mb": [round(kb / 1024, 1) for kb in peaks],
    }
    (RESULTS / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_table(report)


def print_table(report: dict) -> None:
    print()
    for key, value in report["seed"].items():
        print(f"{key}: {value}")
    header = (
        f"{'':4}{'scenario':<44}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'of S0':>8}{'SQL':>5}{'non2xx':>8}{'1-req ms':>10}"
    )
    print(header)
    print("-" * len(header))
    for row in report["scenarios"]:
        print(
            f"{row['name']:<4}{row['title']:<44}{row['rps']:>9.1f}{row['p50_ms'] or 0:>9.2f}"
            f"{row['p99_ms'] or 0:>9.2f}{row['share_of_ceiling']:>8.1%}{row.get('queries', 0):>5}"
            f"{row['non_2xx']:>8}{row.get('single_ms', '-'):>10}"
        )
    print("1-req ms: median of one request at a time through the test client (no queue)")
    print(f"peak RSS per worker (MB): {report['peak_rss_per_worker_mb']}")
    print(f"written to {RESULTS / 'bench.json'}")


if __name__ == "__main__":
    main()
