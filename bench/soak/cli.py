"""python -m bench.soak: the soak against gunicorn with production settings, then the checks."""

import argparse
import os
import time

from bench.web import env

DATABASE_PREFIX = "iw_bench_soak"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description="Members sharing, resending, supporting, commenting and checking in at "
        "once; then every acknowledged write is looked for in the database.",
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent members")
    parser.add_argument("--seconds", type=float, default=60, help="how long they act")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    parser.add_argument("--organisations", type=int, default=3)
    parser.add_argument("--wards", type=int, default=4, help="wards per organisation")
    parser.add_argument("--fresh", action="store_true", help="drop the database first")
    return parser.parse_args(argv)


def prepare(fresh: bool) -> None:
    from django.core.cache import cache
    from django.core.management import call_command

    from bench.rollup import env as rollup_env
    from bench.web import server
    from bench.web.seed import log
    from improvewell.rls import cross_organisation

    rollup_env.ensure_database(fresh=fresh)
    log(f"database {env.database_name()}: migrating")
    with cross_organisation():
        call_command("migrate", verbosity=0)
    env.ensure_app_role()
    server.collectstatic()
    if os.environ["REDIS_URL"] == DEFAULT_REDIS_URL:
        # The soak's own Redis database: the emails past runs queued (no worker runs) go.
        # Another database named in REDIS_URL may be someone else's: it is left alone.
        cache.clear()


def describe_machine() -> str:
    from bench.rollup.cli import machine

    facts = machine()
    return (
        f"Machine: {facts['cpus']} cores ({facts['cpu']}), {facts['memory_gib']} GiB, "
        f"PostgreSQL {facts['postgresql']}"
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE_PREFIX}")
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("CACHE_KEY_PREFIX", DATABASE_PREFIX)
    env.set_defaults(DATABASE_PREFIX, prefix=DATABASE_PREFIX)
    env.setup_django()
    from bench.web import server
    from bench.web.seed import log

    from .cast import make_cast
    from .driver import soak
    from .report import summary
    from .verify import verify

    server.stop_on_sigterm()
    prepare(args.fresh)
    log(f"seeding {args.organisations} organisations, {args.clients} members; signing them in")
    cast = make_cast(members=args.clients, organisations=args.organisations, wards=args.wards)
    log(f"run {cast.run}: {args.clients} clients for {args.seconds:g} s")
    load = "{:.1f} {:.1f} {:.1f} before the run".format(*os.getloadavg())
    with server.gunicorn(workers=args.workers) as running:
        started = time.monotonic()
        records = soak(running.base, cast, seconds=args.seconds)
        elapsed = time.monotonic() - started
    log("checking the database against the answers")
    checks = verify(cast, records)
    print(f"{describe_machine()}; gunicorn {args.workers} workers; load average {load}")
    print(summary(records, checks, seconds=elapsed), flush=True)
    return 0 if all(check.passed for check in checks) else 1
