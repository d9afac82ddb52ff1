"""python -m bench.rollup: generate, measure at each scale, print the figures, check targets."""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from . import env

PRESETS = {
    # The benchmark spec: measured at 10 thousand, 100 thousand and 1 million ideas.
    "full": {
        "ideas": 1_000_000,
        "pulses": 10_000_000,
        "orgs": 50,
        "wards": 2000,
        "sites_per_org": 4,
        "days": 120,
        "stages": "10000,100000",
    },
    # A couple of minutes, for trying the benchmark out.
    "small": {
        "ideas": 20_000,
        "pulses": 200_000,
        "orgs": 5,
        "wards": 100,
        "sites_per_org": 2,
        "days": 120,
        "stages": "2000",
    },
}
# Members per ward, unless given: enough that the pulse check-ins per ward-day are about
# 80% of the ward's members, and at least 15.
PULSE_PARTICIPATION = 0.8
MIN_MEMBERS_PER_WARD = 15
RESULTS_DIR = Path(__file__).resolve().parent.parent / "results"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.rollup",
        description="Roll-up benchmark: synthetic data, roll-up vs a hand-written SQL floor, "
        "worker peak memory, dashboard time and query count.",
    )
    parser.add_argument("--scale", choices=sorted(PRESETS), default="full")
    parser.add_argument("--ideas", type=int, help="ideas at the largest scale")
    parser.add_argument("--pulses", type=int, help="pulse check-ins at the largest scale")
    parser.add_argument("--orgs", type=int)
    parser.add_argument("--wards", type=int, help="wards in all")
    parser.add_argument("--sites-per-org", type=int)
    parser.add_argument("--members-per-ward", type=int)
    parser.add_argument("--days", type=int, help="days of history the ideas spread over")
    parser.add_argument(
        "--stages",
        help="smaller idea counts to measure first, comma-separated (pulses scale with them); "
        "'' for none",
    )
    parser.add_argument("--rollup-days", type=int, default=90, help="the long roll-up (days)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per measurement")
    parser.add_argument(
        "--repeat-long",
        type=int,
        default=3,
        help="timed runs of the long roll-up of every organisation",
    )
    parser.add_argument("--dashboard-repeat", type=int, default=9)
    parser.add_argument(
        "--fresh", action="store_true", help="drop and recreate the benchmark database first"
    )
    parser.add_argument(
        "--day-by-day",
        action="store_true",
        help="also time the long range as the schedule covers it: rollup_day per "
        "organisation per day (once; slow)",
    )
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of floors")
    parser.add_argument("--output", type=Path, help="results JSON (default bench/results/)")
    parser.add_argument(
        "--report",
        nargs="+",
        type=Path,
        metavar="JSON",
        help="print the table and targets from earlier results files (merged), nothing else",
    )
    parser.add_argument("--child-memory", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for key, value in PRESETS[args.scale].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.members_per_ward is None:
        per_ward_day = args.pulses / (args.wards * args.days)
        args.members_per_ward = max(
            MIN_MEMBERS_PER_WARD, math.ceil(per_ward_day / PULSE_PARTICIPATION)
        )
    return args


def stage_sizes(args) -> list[tuple[int, int]]:
    """(ideas, pulses) per stage, smallest first; pulses keep the largest scale's ratio."""
    ideas = sorted({int(s) for s in args.stages.split(",") if s.strip()} | {args.ideas})
    return [(n, round(args.pulses * n / args.ideas)) for n in ideas if n <= args.ideas]


# Machine ----------------------------------------------------------------------------------


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
        cursor.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name IN "
            "('shared_buffers', 'work_mem', 'max_parallel_workers_per_gather', 'jit')"
        )
        pg = {name: f"{value}{' x ' + unit if unit else ''}" for name, value, unit in cursor}
    memory_kib = 0
    with open("/proc/meminfo") as meminfo:
        for line in meminfo:
            if line.startswith("MemTotal:"):
                memory_kib = int(line.split()[1])
    cpu = ""
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(memory_kib / 1024**2, 1),
        "postgresql": server,
        "postgresql_settings": pg,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def code_version() -> dict:
    """The commit measured, and whether the roll-up's code differed from it (read-only git)."""
    root = Path(__file__).resolve().parents[2]

    def git(*arguments: str) -> str:
        done = subprocess.run(  # noqa: S603 (fixed arguments)
            ["git", *arguments],  # noqa: S607 (git from PATH)
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "changed_files": git("status", "--porcelain", "--", "dashboards", "ideas", "organisations"),
    }


# One stage --------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def measure_stage(args, *, label: str) -> dict:
    from django.db import connection

    from . import floor, generate, measure

    orgs = measure.organisations()
    anchor_day = generate.anchor().astimezone(floor.LONDON).date()
    yesterday = anchor_day - timedelta(days=1)
    one = floor.DayRange(yesterday, yesterday)
    long = floor.DayRange(yesterday - timedelta(days=args.rollup_days - 1), yesterday)
    result = {"label": label, "counts": generate.counts(), "db_bytes": generate.database_size()}
    result["days"] = {"one": str(one.first), "long": [str(long.first), str(long.last)]}

    log(f"{label}: roll-up of one day ({one.first}), {len(orgs)} organisations")
    result["rollup_1"] = measure.summary(
        measure.timed(
            lambda: measure.rollup_range(orgs, one),
            repeat=args.repeat,
            warmup=1,
            before=measure.vacuum_facts,
        )
    )
    for kind in floor.STATEMENTS:
        log(f"{label}: floor ({kind}) of one day")
        result[f"floor_{kind}_1"] = measure.floor_timing(kind, one, repeat=args.repeat)

    log(f"{label}: roll-up of {args.rollup_days} days, {len(orgs)} organisations")
    result["rollup_long"] = measure.summary(
        measure.timed(
            lambda: measure.rollup_range(orgs, long),
            repeat=args.repeat_long,
            before=measure.vacuum_facts,
        )
    )
    if args.day_by_day:
        log(f"{label}: roll-up of {args.rollup_days} days one day at a time (rollup_day)")
        measure.vacuum_facts()
        result["rollup_long_daily"] = measure.summary(
            measure.timed(lambda: measure.rollup_day_by_day(orgs, long), repeat=1)
        )
    for kind in floor.STATEMENTS:
        log(f"{label}: floor ({kind}) of {args.rollup_days} days")
        result[f"floor_{kind}_long"] = measure.floor_timing(kind, long, repeat=args.repeat)
    if args.explain:
        for kind in floor.STATEMENTS:
            for days in (one, long):
                print(f"--- EXPLAIN ANALYZE floor ({kind}), {days.first} to {days.last}")
                print(floor.explain(kind, days, jit=result[f"floor_{kind}_1"]["jit"]))

    log(f"{label}: roll-up against the full floor, {args.rollup_days} days")
    result["consistency"] = measure.compare_with_floor(orgs, long)

    log(f"{label}: profile of one organisation-day")
    result["profile"] = measure.profile(orgs[0], one.first)

    log(f"{label}: worker peak memory (one organisation, {args.rollup_days} days, new process)")
    result["memory"] = measure.worker_peak_memory(orgs[0], long)

    # The last roll-up left one set of dead fact rows (as any roll-up does): the pages are
    # timed with them, then after a vacuum (the steady state with autovacuum on).
    result["dead_fact_rows"] = measure.dead_fact_rows()
    log(f"{label}: dashboard pages, {result['dead_fact_rows']:,} dead fact rows")
    result["dashboard_unvacuumed"] = measure.dashboard(orgs[0], long, repeat=args.dashboard_repeat)
    measure.vacuum_facts()
    log(f"{label}: dashboard pages, fact tables vacuumed")
    result["dashboard"] = measure.dashboard(orgs[0], long, repeat=args.dashboard_repeat)
    connection.close()
    return result


# Report -----------------------------------------------------------------------------------


def _s(summary: dict | None) -> str:
    if not summary:
        return "-"
    jit = {True: " (JIT on)", False: " (JIT off)"}.get(summary.get("jit"), "")
    return f"{summary['median']:.3f} s{jit}"


def _ratio(a: dict | None, b: dict | None) -> str:
    return "-" if not a or not b else f"{a['median'] / b['median']:.2f}x"


def table(stages: list[dict], args) -> str:
    n = args.rollup_days
    rows = [
        ("ideas", lambda s: f"{s['counts']['ideas']:,}"),
        (
            "supports / comments",
            lambda s: f"{s['counts']['supports']:,} / {s['counts']['comments']:,}",
        ),
        ("idea events", lambda s: f"{s['counts']['events']:,}"),
        ("pulse check-ins", lambda s: f"{s['counts']['pulses']:,}"),
        ("database size", lambda s: f"{s['db_bytes'] / 1024**3:.2f} GiB"),
        ("roll-up, 1 day, all orgs", lambda s: _s(s.get("rollup_1"))),
        ("floor (ward), 1 day", lambda s: _s(s.get("floor_ward_1"))),
        ("floor (full), 1 day", lambda s: _s(s.get("floor_full_1"))),
        ("  ratio to floor (ward)", lambda s: _ratio(s.get("rollup_1"), s.get("floor_ward_1"))),
        ("  ratio to floor (full)", lambda s: _ratio(s.get("rollup_1"), s.get("floor_full_1"))),
        (f"roll-up, {n} days, all orgs (backfill)", lambda s: _s(s.get("rollup_long"))),
        (
            f"roll-up, {n} days, day by day",
            lambda s: _s(s.get("rollup_long_daily")) if s.get("rollup_long_daily") else "-",
        ),
        (f"floor (ward), {n} days", lambda s: _s(s.get("floor_ward_long"))),
        (f"floor (full), {n} days", lambda s: _s(s.get("floor_full_long"))),
        (
            "  ratio to floor (ward)",
            lambda s: _ratio(s.get("rollup_long"), s.get("floor_ward_long")),
        ),
        (
            "  ratio to floor (full)",
            lambda s: _ratio(s.get("rollup_long"), s.get("floor_full_long")),
        ),
        (
            "backfill per org-day (mean)",
            lambda s: (
                f"{1000 * s['rollup_long']['median'] / (n * s['counts']['organisations']):.1f} ms"
                if s.get("rollup_long")
                else "-"
            ),
        ),
        (
            "one org-day: wall / in SQL",
            lambda s: (
                f"{s['profile']['total_ms']:.1f} / {s['profile']['sql_ms']:.1f} ms "
                f"({len(s['profile']['queries'])} q)"
                if s.get("profile")
                else "-"
            ),
        ),
        (
            "worker peak RSS (1 org, long)",
            lambda s: (
                f"{s['memory']['peak_kib'] / 1024:.1f} MiB "
                f"(at start {s['memory']['baseline_kib'] / 1024:.1f})"
                if s.get("memory")
                else "-"
            ),
        ),
        (
            "  VmHWM of the same process",
            lambda s: f"{s['memory']['vmhwm_peak_kib'] / 1024:.1f} MiB" if s.get("memory") else "-",
        ),
        (
            "facts differing from floor",
            lambda s: (
                f"{s['consistency']['differing'] + s['consistency'].get('profession_differing', 0)}"
                f" of {s['consistency']['values_checked']:,}"
                if s.get("consistency")
                else "-"
            ),
        ),
    ]
    rows.append(
        (
            "dead fact rows before pages",
            lambda s: f"{s['dead_fact_rows']:,}" if "dead_fact_rows" in s else "-",
        )
    )
    rows.append(
        (
            "page: overview (90 days), unvacuumed",
            lambda s: (
                f"{1000 * s['dashboard_unvacuumed']['overview (90 days)']['median']:.1f} ms"
                if s.get("dashboard_unvacuumed")
                else "-"
            ),
        )
    )
    pages = next((s["dashboard"] for s in stages if s.get("dashboard")), {})
    for page in pages:
        rows.append(
            (
                f"page: {page}",
                lambda s, page=page: (
                    f"{1000 * s['dashboard'][page]['median']:.1f} ms, "
                    f"{s['dashboard'][page]['queries']} q"
                    if s.get("dashboard")
                    else "-"
                ),
            )
        )
    header = ["", *[s["label"] for s in stages]]
    body = [[name, *[fn(s) for s in stages]] for name, fn in rows]
    widths = [max(len(str(r[i])) for r in [header, *body]) for i in range(len(header))]
    lines = []
    for r in [header, None, *body]:
        if r is None:
            lines.append("-+-".join("-" * w for w in widths))
            continue
        lines.append(" | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)))
    return "\n".join(lines)


def targets(stages: list[dict]) -> list[str]:
    """The issue's three targets, judged on the measured stages."""
    out = []
    if not stages:
        return out
    largest = stages[-1]
    # The full floor computes everything the roll-up stores: the like-for-like floor. The
    # ward floor computes a part of it, so its ratio is shown for reference only.
    for span in ("1", "long"):
        rollup, base = largest.get(f"rollup_{span}"), largest.get(f"floor_full_{span}")
        if rollup and base:
            ratio = rollup["median"] / base["median"]
            verdict = "MET" if ratio <= 1.5 else "NOT MET"
            days = "1 day" if span == "1" else "long range"
            out.append(
                f"roll-up within 1.5x of the floor (full), {days}, {largest['label']}: "
                f"{ratio:.2f}x -> {verdict}"
            )
    with_memory = [s for s in stages if s.get("memory")]
    if len(with_memory) >= 2:
        a, b = with_memory[-2], with_memory[-1]
        change = b["memory"]["peak_kib"] / a["memory"]["peak_kib"] - 1
        verdict = "MET" if abs(change) <= 0.10 else "NOT MET"
        out.append(
            f"worker peak memory {a['label']} -> {b['label']}: "
            f"{a['memory']['peak_kib'] / 1024:.1f} -> {b['memory']['peak_kib'] / 1024:.1f} MiB "
            f"({change:+.1%}) -> {verdict}"
        )
    with_pages = [s for s in stages if s.get("dashboard")]
    if len(with_pages) >= 2:
        a, b = with_pages[0], with_pages[-1]
        for page in a["dashboard"]:
            ta, tb = a["dashboard"][page]["median"], b["dashboard"][page]["median"]
            qa, qb = a["dashboard"][page]["queries"], b["dashboard"][page]["queries"]
            verdict = "MET" if tb <= 1.2 * ta and qa == qb else "NOT MET"
            out.append(
                f"page {page} {a['label']} -> {b['label']}: {1000 * ta:.1f} -> "
                f"{1000 * tb:.1f} ms ({tb / ta:.2f}x), queries {qa} -> {qb} -> {verdict}"
            )
    return out


def _slowest(profile: dict) -> None:
    print(
        f"  one organisation-day: {profile['total_ms']:.1f} ms, of which "
        f"{profile['sql_ms']:.1f} ms in {len(profile['queries'])} queries; slowest:"
    )
    for q in profile["queries"][:6]:
        print(f"  {q['ms']:8.1f} ms  {q['sql'][:150]}")


def report(stages: list[dict], target_lines: list[str], args) -> None:
    measured = [s for s in stages if "counts" in s]
    if measured:
        print()
        print(table(measured, args))
        print(f"\nWhere the roll-up's time goes at {measured[-1]['label']}:")
        _slowest(measured[-1]["profile"])
    if target_lines:
        print("\nTargets:")
        for line in target_lines:
            print(f"  {line}")
    if measured:
        spread = {
            k: statistics.pstdev(v["runs"]) / v["median"]
            for k, v in measured[-1].items()
            if isinstance(v, dict) and "runs" in v and len(v["runs"]) > 1
        }
        if spread:
            worst = max(spread, key=spread.get)
            print(f"\nLargest run-to-run spread: {worst} ({spread[worst]:.0%} of the median)")


def merged_report(paths: list[Path]) -> None:
    files = [json.loads(path.read_text()) for path in paths]
    stages = sorted(
        (s for f in files for s in f["stages"] if "counts" in s),
        key=lambda s: s["counts"]["ideas"],
    )
    args = argparse.Namespace(**files[0]["arguments"])
    report(stages, targets(stages), args)
    for path, f in zip(paths, files, strict=True):
        print(f"\n{path}: started {f['started']}, code {f.get('code')}, machine {f['machine']}")


def label_for(ideas: int) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if ideas >= size and ideas % (size // 10) == 0:
            return f"{ideas / size:g}{suffix} ideas"
    return f"{ideas:,} ideas"


# Entry point ------------------------------------------------------------------------------


def main(argv=None) -> None:
    args = parse_args(argv)
    env.set_defaults()
    if args.child_memory:
        env.setup_django()
        from .measure import child_memory

        org, first, last = args.child_memory.split(":")
        child_memory(int(org), date.fromisoformat(first), date.fromisoformat(last))
        return

    if args.report:
        merged_report(args.report)
        return

    env.ensure_database(fresh=args.fresh)
    env.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scopes_disabled

    from . import generate

    log(f"database {env.database_name()}: migrating")
    with scopes_disabled():
        call_command("migrate", verbosity=0)
    structure = generate.Structure(
        orgs=args.orgs,
        wards=args.wards,
        sites_per_org=args.sites_per_org,
        members_per_ward=args.members_per_ward,
        days=args.days,
    )
    generate.ensure_structure(structure)
    connection.close()
    info = machine()
    log(f"machine: {info}")
    stages = []
    started = datetime.now()
    for ideas, pulses in stage_sizes(args):
        label = label_for(ideas)
        have = generate.get_state()["ideas"]
        if have > ideas:
            log(f"{label}: skipped, the database already holds {have:,} ideas (use --fresh)")
            continue
        log(f"{label}: generating up to {ideas:,} ideas and {pulses:,} pulse check-ins")
        seconds = generate.grow_ideas(ideas) + generate.grow_pulses(pulses)
        seconds += generate.vacuum_analyze()
        # Measure in a new session, with the server's settings (not the bulk-load ones).
        connection.close()
        stage = measure_stage(args, label=label)
        stage["generate_seconds"] = seconds
        stages.append(stage)
        print(table(stages, args), flush=True)
    results = {
        "started": started.isoformat(timespec="seconds"),
        "arguments": {k: v for k, v in vars(args).items() if k not in ("output", "child_memory")},
        "machine": info,
        "code": code_version(),
        "stages": stages,
        "targets": targets(stages),
    }
    output = args.output or RESULTS_DIR / f"rollup-{args.scale}-{args.ideas}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, default=str) + "\n")

    report(stages, results["targets"], args)
    print(f"\nMachine: {info}")
    print(f"Results: {output}")
    sys.stdout.flush()
