"""python -m bench.web: the pages under load, at each scale, and where their time goes."""

import argparse
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from . import env

PRESETS = {
    # The scale: 50 organisations, measured at 10k, 100k and 1M ideas.
    "full": {
        "orgs": 50,
        "wards": 2000,
        "sites_per_org": 4,
        "members_per_ward": 53,
        "days": 120,
        "ideas": 1_000_000,
        "stages": "10000,100000",
        "seconds": 10,
        "warmup": 3,
    },
    # A few minutes, for trying the benchmark out.
    "small": {
        "orgs": 5,
        "wards": 100,
        "sites_per_org": 2,
        "members_per_ward": 21,
        "days": 120,
        "ideas": 10_000,
        "stages": "1000",
        "seconds": 5,
        "warmup": 2,
    },
}
# Pulse check-ins per idea, as in the roll-up benchmark (10M at 1M ideas).
PULSES_PER_IDEA = 10
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.web",
        description="Pages under load (gunicorn, wrk) at growing scale, with query counts "
        "and an in-process profile of each page.",
    )
    parser.add_argument("--scale", choices=sorted(PRESETS), default="full")
    parser.add_argument("--ideas", type=int, help="ideas at the largest scale")
    parser.add_argument("--stages", help="smaller idea counts to measure first ('' for none)")
    parser.add_argument("--seconds", type=int, help="measured seconds a page")
    parser.add_argument("--warmup", type=int, help="warm-up seconds a page (not counted)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--workers", type=int, default=5, help="gunicorn workers (5, as the image runs)"
    )
    parser.add_argument(
        "--staff",
        type=int,
        default=128,
        help="staff members signed in; the load tool takes them in turn (sharing is limited "
        "to 30 ideas a person a day)",
    )
    parser.add_argument("--profile-requests", type=int, default=50, help="requests a page")
    parser.add_argument("--top", type=int, default=12, help="functions listed per page")
    parser.add_argument("--no-profile", action="store_true", help="skip the in-process pass")
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    parser.add_argument("--output", type=Path, help="results JSON (default bench/web/results/)")
    parser.add_argument(
        "--report", nargs="+", type=Path, metavar="JSON", help="print saved results, nothing else"
    )
    parser.add_argument("--no-profiles", action="store_true", help="with --report: tables only")
    args = parser.parse_args(argv)
    for key, value in PRESETS[args.scale].items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    return args


def idea_stages(args) -> list[int]:
    sizes = {int(s) for s in args.stages.split(",") if s.strip()} | {args.ideas}
    return sorted(n for n in sizes if n <= args.ideas)


def label_for(ideas: int) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if ideas >= size and ideas % (size // 10) == 0:
            return f"{ideas / size:g}{suffix}"
    return f"{ideas:,}"


def wrk_version() -> str:
    from .load import check_wrk

    done = subprocess.run(  # noqa: S603 (wrk from PATH)
        [check_wrk(), "--version"], capture_output=True, text=True, check=False
    )
    return (done.stdout or done.stderr).splitlines()[0]


def prepare(args):
    """The database, its tables and role, the static manifest and the generated structure."""
    from django.core.management import call_command

    from bench.rollup import env as rollup_env
    from bench.rollup import generate
    from improvewell.rls import cross_organisation

    from . import seed, server

    rollup_env.ensure_database(fresh=args.fresh)
    seed.log(f"database {env.database_name()}: migrating")
    with cross_organisation():
        call_command("migrate", verbosity=0)
    env.ensure_app_role()
    seed.log("collectstatic (the production static storage needs its manifest)")
    server.collectstatic()
    generate.ensure_structure(
        generate.Structure(
            orgs=args.orgs,
            wards=args.wards,
            sites_per_org=args.sites_per_org,
            members_per_ward=args.members_per_ward,
            days=args.days,
        )
    )


def run_stage(args, ideas: int, load) -> dict:
    from bench.rollup import generate

    from . import inprocess, pages, seed, server
    from .load import run_all

    label = label_for(ideas)
    env.use_owner()
    seed.log(f"{label} ideas: generating (pulse check-ins: {PULSES_PER_IDEA} an idea)")
    generate.grow_ideas(ideas)
    generate.grow_pulses(ideas * PULSES_PER_IDEA)
    generate.vacuum_analyze()
    organisation = seed.benched_organisation()
    seed.remove_shared_ideas(organisation)  # left by an interrupted run
    seed.ensure_lead(organisation)
    seed.log(f"{label} ideas: roll-up of {organisation.slug} for its dashboard")
    seed.roll_up(organisation)
    stage = {
        "label": label,
        "counts": generate.counts(),
        "db_bytes": generate.database_size(),
        "organisation": organisation.slug,
    }
    env.use_app_role()
    seed.log(f"{label} ideas: signing in {args.staff} staff, {args.connections} QI lead sessions")
    fixture = seed.sign_in(organisation, staff=args.staff, lead_sessions=args.connections)
    stage["org_ideas"] = seed.organisation_ideas(organisation)
    env.use_owner()
    stage["settle_seconds"] = seed.settle_database()
    seed.log(f"{label} ideas: PostgreSQL settled in {stage['settle_seconds']:.1f} s")
    env.use_app_role()
    measured = pages.pages(fixture)
    try:
        seed.log(f"{label} ideas: load, {args.seconds} s a page")
        with server.gunicorn(workers=args.workers) as running:
            stage["load"] = run_all(running, measured, fixture, load)
        if not args.no_profile:
            seed.log(f"{label} ideas: in-process, {args.profile_requests} requests a page")
            stage["inprocess"] = inprocess.measure(
                measured, fixture, requests=args.profile_requests, top=args.top
            )
    finally:
        removed = seed.remove_shared_ideas(organisation)
        seed.log(f"{label} ideas: removed {removed:,} rows of ideas the benchmark shared")
        env.use_owner()
        seed.remove_tokens(organisation)
    return stage


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.report:
        from .report import print_report

        for path in args.report:
            print_report(json.loads(path.read_text()), profiles=not args.no_profiles)
        return
    env.set_defaults(f"{env.DATABASE_PREFIX}_{args.scale}")
    env.setup_django()
    from . import server
    from .load import Load

    load = Load(
        connections=args.connections, threads=args.threads, seconds=args.seconds, warmup=args.warmup
    )

    server.stop_on_sigterm()
    version = wrk_version()
    prepare(args)
    from bench.rollup import generate
    from bench.rollup.cli import machine

    from .report import print_report
    from .seed import log

    env.use_owner()  # a new session: the server's settings, not the bulk-load ones
    results = {
        "started": datetime.now().isoformat(timespec="seconds"),
        "arguments": {k: str(v) for k, v in vars(args).items() if k not in ("report",)},
        "settings": {
            "connections": args.connections,
            "threads": args.threads,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "workers": args.workers,
        },
        "machine": machine() | {"wrk": version},
        "stages": [],
    }
    output = args.output or RESULTS_DIR / f"web-{args.scale}-{label_for(args.ideas)}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    for ideas in idea_stages(args):
        have = generate.get_state()["ideas"]
        if have > ideas:
            log(f"{ideas:,} ideas: skipped, the database holds {have:,} (use --fresh)")
            continue
        results["stages"].append(run_stage(args, ideas, load))
        output.write_text(json.dumps(results, indent=2) + "\n")
    print_report(results)
    print(f"Results: {output}")
    sys.stdout.flush()
