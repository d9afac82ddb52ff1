"""Timings, peak memory and the dashboard's cost."""

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from dashboards import rollup
from dashboards.models import STAFF_FIELDS, DailyFact
from dashboards.rollup import ADDITIVE, rollup_day
from organisations.models import Membership, Organisation, Role, Site, Ward

from . import floor
from .generate import SLUG_PREFIX


def organisations() -> list[Organisation]:
    return list(Organisation.objects.filter(slug__startswith=SLUG_PREFIX).order_by("pk"))


def timed(
    action: Callable[[], object],
    *,
    repeat: int,
    warmup: int = 0,
    before: Callable[[], object] | None = None,
) -> list[float]:
    """Seconds per run; warm-up runs (to fill the caches) and `before` are not counted."""
    for _ in range(warmup):
        action()
    runs = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        runs.append(time.perf_counter() - started)
    return runs


FACT_TABLES = ("dashboards_dailyfact", "dashboards_rolluprun")


def dead_fact_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables WHERE relname = ANY(%s)",
            [list(FACT_TABLES)],
        )
        return int(cursor.fetchone()[0])


def vacuum_facts() -> None:
    """What autovacuum would do between runs (it is off on the benchmark machine): each
    roll-up deletes and re-inserts its rows, leaving the old ones dead."""
    with connection.cursor() as cursor:
        for table in FACT_TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")


def summary(runs: list[float]) -> dict:
    return {"median": statistics.median(runs), "runs": runs}


def floor_timing(kind: str, days: floor.DayRange, *, repeat: int) -> dict:
    """The floor's median time. JIT on (the server's setting) and off are each run once
    (which also warms the caches); the faster of the two is then timed `repeat` times."""
    first = {
        jit: timed(lambda jit=jit: floor.run(kind, days, jit=jit), repeat=1)[0]
        for jit in (True, False)
    }
    jit = min(first, key=first.get)
    runs = timed(lambda: floor.run(kind, days, jit=jit), repeat=repeat)
    return summary(runs) | {
        "jit": jit,
        "first_run_jit_on": first[True],
        "first_run_jit_off": first[False],
    }


def rollup_range(orgs: list[Organisation], days: floor.DayRange) -> None:
    """What a backfill does, in one process: every organisation, its days in one range."""
    for organisation in orgs:
        with scope(organisation=organisation):
            rollup.rollup_range(organisation, days.first, days.last)


def rollup_day_by_day(orgs: list[Organisation], days: floor.DayRange) -> None:
    """What the schedule does over the days: one rollup_day per organisation per day."""
    for day in days.days:
        for organisation in orgs:
            with scope(organisation=organisation):
                rollup_day(organisation, day)


# Peak memory of a worker ----------------------------------------------------------------


def _peak_rss_kib() -> dict:
    """ru_maxrss as asked for, and VmHWM (this process image's own high-water mark)."""
    hwm = 0
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return {"ru_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "vmhwm": hwm}


def child_memory(organisation_id: int, first: date, last: date) -> None:
    """Runs in a fresh interpreter (python -m bench.rollup --child-memory ...)."""
    organisation = Organisation.objects.get(pk=organisation_id)
    baseline = _peak_rss_kib()
    started = time.perf_counter()
    rollup_range([organisation], floor.DayRange(first, last))
    seconds = time.perf_counter() - started
    peak = _peak_rss_kib()
    print(
        json.dumps(
            {
                "baseline_kib": baseline["ru_maxrss"],
                "peak_kib": peak["ru_maxrss"],
                "vmhwm_baseline_kib": baseline["vmhwm"],
                "vmhwm_peak_kib": peak["vmhwm"],
                "seconds": seconds,
            }
        )
    )


# Linux carries a process's ru_maxrss over exec from the image it replaces: a child
# started straight from this (large) process would report this process's peak. A shell
# that forks the child first gives it a clean count.
_LAUNCHER = ["/bin/sh", "-c", '"$@"; exit $?', "launcher"]


def worker_peak_memory(organisation: Organisation, days: floor.DayRange) -> dict:
    """A single organisation's roll-up of the range in a fresh process: its peak RSS."""
    command = [
        *_LAUNCHER,
        sys.executable,
        "-m",
        "bench.rollup",
        "--child-memory",
        f"{organisation.pk}:{days.first}:{days.last}",
    ]
    # The child gets this process's environment, so the same database and keys.
    done = subprocess.run(  # noqa: S603 (our own interpreter and module, no user input)
        command,
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        cwd=os.getcwd(),
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# Where one organisation-day's time goes ---------------------------------------------------


def profile(organisation: Organisation, day: date) -> dict:
    """One rollup_day: its wall time, and each query's time measured around the driver."""
    queries = []

    def clock(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append({"ms": 1000 * (time.perf_counter() - started), "sql": sql})

    with scope(organisation=organisation), connection.execute_wrapper(clock):
        started = time.perf_counter()
        rollup_day(organisation, day)
        total = 1000 * (time.perf_counter() - started)
    return {
        "total_ms": total,
        "sql_ms": sum(q["ms"] for q in queries),
        "queries": sorted(queries, key=lambda q: -q["ms"]),
    }


# The dashboard ---------------------------------------------------------------------------


def dashboard(organisation: Organisation, days: floor.DayRange, *, repeat: int) -> dict:
    """Median time and query count of dashboard pages, signed in as an organisation admin."""
    with scopes_disabled():
        admin = (
            Membership.objects.filter(organisation=organisation, role=Role.ORG_ADMIN)
            .select_related("user")
            .first()
            .user
        )
        ward = Ward.objects.filter(organisation=organisation).order_by("pk").first()
        site = Site.objects.filter(organisation=organisation).order_by("pk").first()
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    base = f"/{organisation.slug}/dashboards/"
    span = f"?start={days.first}&end={days.last}"
    pages = {
        "overview (default: last 30 days)": base,
        "overview (90 days)": base + span,
        "ward (90 days)": f"{base}wards/{ward.pk}/{span}",
        "site (90 days)": f"{base}sites/{site.pk}/{span}",
        "who takes part (90 days)": f"{base}who-takes-part/{span}",
    }
    results = {}
    for name, url in pages.items():
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        # Read now: the log is reset at the start of every request.
        count = len(queries.captured_queries)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        runs = timed(lambda url=url: client.get(url), repeat=repeat, warmup=2)
        results[name] = summary(runs) | {"queries": count, "url": url}
    return results


# Does the floor compute what the roll-up stored? ----------------------------------------


FIGURES = [
    *ADDITIVE,
    *STAFF_FIELDS.values(),
    "contributors",
    "contributors_30d",
    "response_hours_median",
]


def compare_with_floor(orgs: list[Organisation], days: floor.DayRange) -> dict:
    """Every stored fact against the full floor's row: the number of differing values."""
    expected = floor.full_floor_facts(days)
    org_ids = [o.pk for o in orgs]
    with scopes_disabled():
        stored = DailyFact.objects.filter(
            organisation_id__in=org_ids, day__gte=days.first, day__lte=days.last
        ).values("organisation_id", "day", "scope_key", *FIGURES)
        checked = differing = 0
        examples = []
        zero = dict.fromkeys(FIGURES, 0) | {"response_hours_median": None}
        for row in stored:
            key = (row["organisation_id"], row["day"], row["scope_key"])
            want = expected.pop(key, zero)
            for field in FIGURES:
                checked += 1
                got, exp = row[field], want[field]
                same = (
                    got == exp
                    if got is None or exp is None
                    else abs(float(got) - float(exp)) <= 0.011
                )
                if not same:
                    differing += 1
                    if len(examples) < 5:
                        examples.append(f"{key} {field}: roll-up {got}, floor {exp}")
    return {
        "values_checked": checked,
        "differing": differing,
        "floor_rows_without_fact": len(expected),
        "examples": examples,
    }
