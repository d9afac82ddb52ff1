"""The load: wrk, from another process, one page at a time, for a fixed time."""

import json
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

from .env import HEALTHZ, HEALTHZ_AGAIN
from .pages import Page, lua_config
from .seed import Fixture, log, remove_shared_ideas, shared_ideas

SCRIPT = Path(__file__).resolve().parent / "pages.lua"
MARKER = "BENCH_RESULT "
# Beyond the run's own length: wrk stops itself; this only catches a hung wrk.
GRACE_SECONDS = 60
SETTLE_SECONDS = 1
QUIET_CORES = 0.25
RETRIES = 3


@dataclass(frozen=True)
class Load:
    connections: int
    threads: int
    seconds: int
    warmup: int


def check_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (it is in Debian).")
    return path


def wrk(base: str, config: Path, *, load: Load, seconds: int) -> dict:
    command = [
        check_wrk(),
        f"--threads={load.threads}",
        f"--connections={load.connections}",
        f"--duration={seconds}s",
        "--timeout=10s",
        f"--script={SCRIPT}",
        base,
        "--",
        str(config),
    ]
    done = subprocess.run(  # noqa: S603 (wrk from PATH, our own arguments)
        command, capture_output=True, text=True, timeout=seconds + GRACE_SECONDS, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return json.loads(lines[-1].removeprefix(MARKER))


def summary(raw: dict) -> dict:
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": raw["requests"],
        "seconds": seconds,
        "rps": raw["requests"] / seconds,
        "p50_ms": raw["latency_us"]["p50"] / 1000,
        "p95_ms": raw["latency_us"]["p95"] / 1000,
        "p99_ms": raw["latency_us"]["p99"] / 1000,
        "max_ms": raw["latency_us"]["max"] / 1000,
        "errors": sum(raw["errors"].values()),
        "unexpected": raw["unexpected"],
        "first_unexpected": raw["first_unexpected"],
        "kib_per_response": raw["bytes"] / max(raw["requests"], 1) / 1024,
    }


def cpu_of_others(exclude_groups: set[int], database: str) -> dict[int, float]:
    """CPU seconds used so far by each process that is not the benchmark's: neither in its
    process groups (this one, with wrk; gunicorn's) nor PostgreSQL serving its database.
    PostgreSQL's own background processes are left out too (they work for everyone)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            command = Path(entry.path, "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) in exclude_groups:
            continue
        if command.startswith("postgres: ") and (database in command or "(" not in command):
            continue
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def _used_since(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between the two readings; a process that ended meanwhile is not counted
    (its last moments are missed), one that started counts from nothing."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def cpu_stolen() -> float:
    """CPU seconds the hypervisor has given to other machines (steal, in /proc/stat)."""
    with open("/proc/stat") as stat:
        fields = stat.readline().split()
    return int(fields[8]) / os.sysconf("SC_CLK_TCK")


def settled_count(fixture: Fixture) -> int:
    """The ideas the benchmark has shared, once requests wrk left in flight are done."""
    count = shared_ideas(fixture.organisation)
    while True:
        time.sleep(SETTLE_SECONDS)
        again = shared_ideas(fixture.organisation)
        if again == count:
            return count
        count = again


def _measured(server, page: Page, fixture: Fixture, load: Load, config: Path) -> dict:
    """One measured run; wrong answers stop the benchmark."""
    ours = {os.getpgrp(), server.pgid}
    before = settled_count(fixture) if page.kind == "share" else 0
    others, stolen = cpu_of_others(ours, server.database), cpu_stolen()
    result = summary(wrk(server.base, config, load=load, seconds=load.seconds))
    used = _used_since(others, cpu_of_others(ours, server.database))
    result["other_cores"] = used / result["seconds"]
    result["stolen_cores"] = (cpu_stolen() - stolen) / result["seconds"]
    if result["errors"] or result["unexpected"]:
        raise SystemExit(
            f"{page.name}: {result['errors']} socket or status errors, {result['unexpected']} "
            f"answers other than {page.expect}; first: {result['first_unexpected']}"
        )
    if page.kind == "share":
        # Every counted answer shared an idea; requests still in flight when wrk stopped
        # may have shared one more each.
        made = settled_count(fixture) - before
        result["ideas_shared"] = made
        if not result["requests"] <= made <= result["requests"] + load.connections:
            raise SystemExit(f"{page.name}: {result['requests']} answers but {made} ideas")
        # Each person may share 30 ideas a day: a run again starts with none shared.
        remove_shared_ideas(fixture.organisation)
    return result


def run_page(server, page: Page, fixture: Fixture, load: Load) -> dict:
    """A warm-up run (discarded), then the measured run. The machine may be shared: when
    other processes took more than QUIET_CORES during the run, it is run again (at most
    RETRIES times) and the quietest run is kept."""
    with tempfile.NamedTemporaryFile("w", prefix="bench-web-", suffix=".lua") as config:
        config.write(lua_config(page, fixture, origin=server.base.replace("http", "https", 1)))
        config.flush()
        path = Path(config.name)
        if load.warmup:
            wrk(server.base, path, load=load, seconds=load.warmup)
        runs = [_measured(server, page, fixture, load, path)]
        while runs[-1]["other_cores"] > QUIET_CORES and len(runs) <= RETRIES:
            log(f"  {page.name}: other processes took {runs[-1]['other_cores']:.2f} cores; again")
            runs.append(_measured(server, page, fixture, load, path))
    result = min(runs, key=lambda r: r["other_cores"])
    result["runs"] = [[r["rps"], r["other_cores"]] for r in runs]
    log(
        f"  {page.name}: {result['rps']:.1f} req/s, p50 {result['p50_ms']:.1f} ms, "
        f"p95 {result['p95_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms; other processes "
        f"{result['other_cores']:.2f} cores, stolen {result['stolen_cores']:.2f}"
    )
    return result


def run_all(server, pages: list[Page], fixture: Fixture, load: Load) -> dict:
    """Every page in turn, then /healthz again: the ratios divide by the mean of the two
    /healthz runs, and their difference shows how much the machine drifted meanwhile."""
    results = {page.name: run_page(server, page, fixture, load) for page in pages}
    healthz = next(page for page in pages if page.name == HEALTHZ)
    results[HEALTHZ_AGAIN] = run_page(server, replace(healthz, name=HEALTHZ_AGAIN), fixture, load)
    return results
