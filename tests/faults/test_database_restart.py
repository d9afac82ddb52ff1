"""PostgreSQL restarts while members use the app: no traceback, a clean 503, recovery.

gunicorn runs the app with production settings (DEBUG off, persistent connections with
health checks) against a private PostgreSQL (tests/faults/postgres.py), which is
stopped and started again while threads keep asking for pages as a signed-in member.
Every answer is a page (200) or the 503 page with Retry-After, never a 500; once
PostgreSQL is back, every page works again without restarting gunicorn.

In CI one restart takes a few seconds; `make faults` sets FAULT_SECONDS to keep
restarting under load for longer.
"""

import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction

from improvewell.http import database_unavailable

from . import postgres
from .app_seed import APP_ROLE, ORGANISATION
from .conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]
PAGES = (f"/{ORGANISATION}/", f"/{ORGANISATION}/ideas/", "/")
DOWN_SECONDS = 1.0
SECONDS = float(os.environ.get("FAULT_SECONDS", "0"))
THREADS = 8 if SECONDS else 4
UP_SECONDS = 2.0 if SECONDS else 0.5


@dataclass
class App:
    base: str
    session: str
    log: Path
    database: postgres.PrivatePostgres


def _manage(environment, *arguments, module=None) -> str:
    command = [sys.executable, "-m", module] if module else [sys.executable, "manage.py"]
    return subprocess.run(
        [*command, *arguments],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture(scope="module")
def database():
    if not postgres.available():
        if os.environ.get("CI"):
            pytest.fail("CI must have PostgreSQL 15's server binaries for the fault tests")
        pytest.skip("needs PostgreSQL 15's server binaries and the postgres OS user")
    cluster = postgres.PrivatePostgres()
    try:
        cluster.init()
        cluster.start()
        cluster.psql("postgres", "CREATE DATABASE improvewell")
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture(scope="module")
def app(database, tmp_path_factory):
    """Migrated (about four seconds), seeded, static files collected, gunicorn started."""
    owner = postgres.production_environment(DATABASE_URL=database.url("improvewell"))
    _manage(owner, "migrate", "--noinput")
    _manage(owner, "collectstatic", "--noinput")  # the production storage needs its manifest
    session = _manage(owner, module="tests.faults.app_seed").strip()
    port = _free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "improvewell.wsgi:application"),
                *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-control-socket"),
            ],
            cwd=ROOT,
            env=postgres.production_environment(
                DATABASE_URL=database.url("improvewell", assume_role=APP_ROLE)
            ),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    running = App(f"http://127.0.0.1:{port}", session, log, database)
    try:
        deadline = time.monotonic() + 30
        while fetch(running, "/healthz").status != 200:
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield running
    finally:
        server.terminate()
        server.wait(timeout=15)


@dataclass
class Answer:
    path: str
    status: int
    body: str = ""
    retry_after: str | None = None
    at: float = field(default_factory=time.monotonic)


def fetch(app: App, path: str) -> Answer:
    request = urllib.request.Request(  # noqa: S310 (our own loopback URL)
        app.base + path,
        # Through a TLS proxy, as in production (SECURE_SSL_REDIRECT is on).
        headers={"Cookie": f"sessionid={app.session}", "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return Answer(path, response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Answer(path, error.code, error.read().decode(), error.headers["Retry-After"])
    except OSError as error:  # a refused or reset connection: gunicorn itself failed
        return Answer(path, 0, repr(error))


class Load:
    """Threads asking for the member's pages, one after another, until stopped."""

    def __init__(self, app: App, threads: int):
        self.app, self.answers, self.running = app, [], True
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def _run(self, number):
        turn = number
        while self.running:
            self.answers.append(fetch(self.app, PAGES[turn % len(PAGES)]))
            turn += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        for thread in self.threads:
            thread.join()


def clean(answer: Answer) -> bool:
    """A page the member expects, or the 503 page: plain English, no traceback."""
    if answer.status == 200:
        return "Traceback" not in answer.body
    return (
        answer.status == 503
        and "Sorry, the service is unavailable" in answer.body
        and "Traceback" not in answer.body
        and answer.retry_after is not None
        and int(answer.retry_after) > 0
    )


def outage(database, *, restart_only: bool):
    if restart_only:
        database.restart()
    else:
        database.stop()
        time.sleep(DOWN_SECONDS)
        database.start()


def test_a_postgresql_restart_gives_a_clean_503_and_the_app_recovers_by_itself(app):
    assert [fetch(app, page).status for page in PAGES] == [200, 200, 200]
    rounds = 0
    with Load(app, threads=THREADS) as load:
        time.sleep(0.5)
        started = time.monotonic()
        # Stop, wait and start; under `make faults` also `pg_ctl restart`, until time is up.
        while rounds == 0 or time.monotonic() - started < SECONDS:
            outage(app.database, restart_only=rounds % 2 == 1)
            rounds += 1
            time.sleep(UP_SECONDS)
        restarted = time.monotonic()
        time.sleep(1.0)

    answers = load.answers
    unclean = [(a.path, a.status, a.body[:300]) for a in answers if not clean(a)]
    assert unclean == [], unclean
    unavailable = [a for a in answers if a.status == 503]
    assert unavailable, "no request fell into the outage: the test proved nothing"
    # Recovered without restarting gunicorn: every page of every worker, and right away.
    assert all(a.status == 200 for a in answers if a.at > restarted + 0.5)
    assert all(fetch(app, page).status == 200 for page in PAGES * 4)

    log = app.log.read_text()
    assert "Traceback" not in log and " ERROR " not in log, log[-3000:]
    # One warning per 503, and nothing of the request (the path, the member's session).
    warnings = [line for line in log.splitlines() if "Database unavailable" in line]
    assert len(warnings) == len(unavailable)
    assert not any(ORGANISATION in line or app.session in line for line in warnings)
    print(f"{rounds} outages, {len(answers)} requests, {len(unavailable)} answered 503")


def test_a_statement_timeout_is_not_taken_for_an_outage(postgresql):
    """A query cut short by statement_timeout is an OperationalError too, but the database
    is there: that is the 500 page and an error in the log, not "try again later"."""
    with (
        pytest.raises(OperationalError) as caught,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL statement_timeout = 10")
        cursor.execute("SELECT pg_sleep(1)")
    assert not database_unavailable(caught.value)
