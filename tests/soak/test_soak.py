"""The soak, short: members acting at once against a real gunicorn, then the database.

The same driver and checks as `make soak` (bench/soak), with 12 clients for a few
seconds. gunicorn runs in processes of its own, with production settings, on the test
database as the tests' role (row-level security on), so the races it finds are real
races between processes. The test's data is committed (a transactional test) for
gunicorn to see, and gunicorn is stopped before the test database is emptied.
"""

import secrets
from urllib.parse import quote

import pytest
from django.db import connection

from bench.soak.cast import make_cast
from bench.soak.driver import ACKED, ACTIONS, soak
from bench.soak.report import summary
from bench.soak.verify import verify
from bench.web import server
from ideas.models import Comment
from improvewell.rls import cross_organisation
from tests.conftest import TEST_APP_ROLE

CLIENTS = 12
SECONDS = 5
WORKERS = 3


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}?assume_role={TEST_APP_ROLE}"
    )


@pytest.fixture
def production(settings, monkeypatch):
    """Production settings for gunicorn (and collectstatic), with keys the test shares:
    the sessions made here are signed with them and the day tokens derived from them."""
    keys = {"SECRET_KEY": secrets.token_urlsafe(50), "ANONYMITY_KEY": secrets.token_urlsafe(40)}
    for name, value in keys.items():
        setattr(settings, name, value)
        monkeypatch.setenv(name, value)
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    for name, value in {
        "DJANGO_SETTINGS_MODULE": "improvewell.settings",
        "ENV_FILE": "/dev/null",
        "DEBUG": "false",
        "REQUIRE_MFA": "true",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }.items():
        monkeypatch.setenv(name, value)
    server.collectstatic()


@pytest.mark.django_db(transaction=True)
def test_concurrent_members_lose_nothing_and_duplicate_nothing(postgresql, production):
    cast = make_cast(members=CLIENTS)
    with server.gunicorn(workers=WORKERS, environ={"DATABASE_URL": _database_url()}) as running:
        records = soak(running.base, cast, seconds=SECONDS, seed=11)
    checks = verify(cast, records)
    assert all(check.passed for check in checks), summary(records, checks, seconds=SECONDS)

    # All shared at the same moment first, and every one of those was acknowledged.
    burst = [a for r in records for a in r.answers if a.kind == "burst"]
    assert len(burst) == CLIENTS
    assert all(a.ok for a in burst)
    # Every kind of request was made and acknowledged, concurrent resubmissions included.
    answered = {a.kind for r in records for a in r.answers if a.ok}
    assert set(ACTIONS) - {"share again"} <= answered
    shared = [s for r in records for s in r.shares.values() if s.states.count(ACKED) == 2]
    assert shared, "no submission id was acknowledged twice"

    # The checks notice a lost write: take one acknowledged comment away.
    body = next(body for r in records for _i, body, state in r.comments if state == ACKED)
    with cross_organisation():
        Comment.objects.filter(body=body).delete()
    failed = {check.name for check in verify(cast, records) if not check.passed}
    lost = {
        "comments: each acknowledged comment once, on its idea",
        "ideas' comment counts equal their comments",
    }
    # The thread has a gap in its positions too, unless it was the thread's last comment.
    assert lost <= failed <= lost | {"comment positions 0..n-1 in each thread"}
