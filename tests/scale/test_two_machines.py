"""Two web machines and two workers behave as one site: what one does, the others know.

Each test would fail if a machine kept its own state: sessions, rate limits or used
two-factor codes in a per-process cache, a page cached without the write invalidating
it, a task run by both workers, or a roll-up lock that only one process can see.
"""

import time
import uuid
from datetime import date

import psycopg
import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.db import connection
from django.utils import timezone

from improvewell.celery import app as celery_app
from improvewell.rls import tenant_scope
from organisations.models import Role
from tests.factories import TEST_PASSWORD
from tests.teamwork import person

from .conftest import Browser, sign_in, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

HOME = "/city-hospitals/"
TOTP_PERIOD = 30


def test_a_session_made_on_machine_a_is_signed_in_on_machine_b(cluster, organisation, bob):
    browser = Browser()
    assert sign_in(browser, cluster.a, bob.email, TEST_PASSWORD).status == 302

    page = browser.get(cluster.b, HOME + "ideas/")

    assert page.status == 200
    assert organisation.name in page.text
    # Without the session, machine B sends a stranger to sign in.
    assert Browser().get(cluster.b, HOME + "ideas/").status == 302


def test_failed_sign_ins_on_both_machines_count_towards_one_limit(cluster, bob):
    # The password is right: machine B lets Bob in while nobody has guessed.
    assert sign_in(Browser(), cluster.b, bob.email, TEST_PASSWORD).status == 302
    attacker = Browser()
    for machine in (cluster.a, cluster.a, cluster.a, cluster.b, cluster.b):
        guess = sign_in(attacker, machine, bob.email, "not-the-password")
        assert guess.status == 200
        assert "Too many failed login attempts" not in guess.text

    # Five failures, three on A and two on B, reach the limit of five per address:
    # even the right password is refused now, on either machine.
    refused = sign_in(Browser(), cluster.a, bob.email, TEST_PASSWORD)

    assert refused.status == 200
    assert "Too many failed login attempts" in refused.text


def _code_with_time_to_spare(secret: str) -> str:
    """The current code, with at least 10 seconds of its 30 left for both sign-ins."""
    if TOTP_PERIOD - time.time() % TOTP_PERIOD < 10:
        time.sleep(TOTP_PERIOD - time.time() % TOTP_PERIOD + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time() // TOTP_PERIOD)))


def _second_step(browser: Browser, machine: str, code: str):
    browser.get(machine, "/accounts/2fa/authenticate/")
    return browser.post(machine, "/accounts/2fa/authenticate/", {"code": code})


def test_a_two_factor_code_used_on_machine_a_is_refused_on_machine_b(cluster, organisation, ward):
    lead = person(organisation, "dev@city.nhs.uk", "Dev Lead", role=Role.QI_LEAD, ward=ward)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(lead, secret)
    code = _code_with_time_to_spare(secret)

    first = Browser()
    assert "/accounts/2fa/" in sign_in(first, cluster.a, lead.email, TEST_PASSWORD).location
    assert _second_step(first, cluster.a, code).status == 302
    # Someone who saw the code (and knows the password) tries it on the other machine.
    replay = Browser()
    assert "/accounts/2fa/" in sign_in(replay, cluster.b, lead.email, TEST_PASSWORD).location
    refused = _second_step(replay, cluster.b, code)

    assert refused.status == 200
    assert "Incorrect code." in refused.text
    assert replay.get(cluster.b, HOME + "ideas/").status == 302


def test_a_comment_written_on_a_shows_on_b_at_once_and_is_emailed_once(
    cluster, organisation, ward, bob, share
):
    idea = share(bob)
    dina = person(organisation, "dina@city.nhs.uk", "Dina Nurse", ward=ward)
    browser = Browser()
    assert sign_in(browser, cluster.a, dina.email, TEST_PASSWORD).status == 302
    page = HOME + f"ideas/{idea.pk}/"
    body = "Porters could restock it at ten every night"
    # Machine B has shown the page before the comment (whatever it may cache).
    assert body not in browser.get(cluster.b, page).text
    celery_app.conf.task_always_eager = False  # restored by tests/conftest.py

    written = browser.post(cluster.a, page + "comments/", {"body": body})

    assert written.status == 302
    assert body in browser.get(cluster.b, page).text
    # Machine A queued one email to Bob; one of the two workers sends it, once.
    to_bob = "To: bob@city.nhs.uk"
    assert wait_until(lambda: any(to_bob in w.emails() for w in cluster.workers)), [
        w.output() for w in cluster.workers
    ]
    time.sleep(1)  # time for a second delivery, were there one
    assert sum(w.emails().count(to_bob) for w in cluster.workers) == 1


def _facts(organisation, day: date) -> list[dict]:
    from dashboards.models import DailyFact

    with tenant_scope(organisation):
        rows = DailyFact.objects.filter(organisation=organisation, day=day).order_by("scope_key")
        return [{k: v for k, v in row.items() if k != "id"} for row in rows.values()]


def _owner_connection(**options) -> psycopg.Connection:
    """A connection of its own, as the database owner (row-level security aside)."""
    db = connection.settings_dict
    return psycopg.connect(
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        **options,
    )


def _lock_the_facts(organisation, day: date) -> psycopg.Connection:
    """Hold the day's fact rows, as a slow writer would: a roll-up that has taken the
    day's lock then waits at its delete."""
    holder = _owner_connection()
    holder.execute(
        "SELECT id FROM dashboards_dailyfact WHERE organisation_id = %s AND day = %s FOR UPDATE",
        [organisation.pk, day],
    )
    return holder


def _waiting_workers(observer: psycopg.Connection) -> list[str]:
    """The workers whose database sessions wait for a lock. The observer is in autocommit
    mode: inside a transaction, PostgreSQL shows the same snapshot of activity throughout."""
    rows = observer.execute(
        "SELECT application_name FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name LIKE 'scale-worker-%%' AND wait_event_type = 'Lock'"
    ).fetchall()
    return sorted(name for (name,) in rows)


def _activity(observer: psycopg.Connection, cluster) -> str:
    """What the workers' database sessions are doing, and their logs (for a failure)."""
    sessions = observer.execute(
        "SELECT application_name, state, wait_event_type, left(query, 80)"
        " FROM pg_stat_activity WHERE application_name LIKE 'scale-worker-%%'"
    ).fetchall()
    logs = "\n".join(f"--- worker {w.name}:\n{w.output()[-3000:]}" for w in cluster.workers)
    return f"{sessions}\n{logs}"


def _lock_record(organisation, day: date):
    from dashboards.models import RollupRun

    with tenant_scope(organisation):
        return RollupRun.objects.get(organisation=organisation, day=day).finished_at


def test_two_workers_never_roll_up_the_same_organisation_day_at_once(
    cluster, organisation, bob, share
):
    from dashboards.rollup import rollup_day
    from dashboards.tasks import rollup_organisation_day_task

    share(bob)
    share(bob, title="Quieter bleeps at night")
    today = timezone.localdate()
    with tenant_scope(organisation):
        rollup_day(organisation, today)
    expected = _facts(organisation, today)
    finished_before = _lock_record(organisation, today)
    holder = _lock_the_facts(organisation, today)
    observer = _owner_connection(autocommit=True)
    celery_app.conf.task_always_eager = False  # restored by tests/conftest.py
    ids = [str(uuid.uuid4()), str(uuid.uuid4())]
    try:
        for task_id in ids:
            rollup_organisation_day_task.apply_async(
                kwargs={"organisation_id": organisation.pk, "day": today.isoformat()},
                task_id=task_id,
            )
        # Each worker takes one of the two messages...
        assert wait_until(lambda: all(any(w.received(i) for w in cluster.workers) for i in ids)), (
            _activity(observer, cluster)
        )
        takers = {i: next(w.name for w in cluster.workers if w.received(i)) for i in ids}
        assert sorted(takers.values()) == ["a", "b"], _activity(observer, cluster)
        # ...one takes the day's lock and then waits at the held rows; the other is
        # refused the lock (RollupBusy) and its task is queued again for later (the
        # worker takes it once more), instead of running alongside.
        one_waits = wait_until(lambda: len(_waiting_workers(observer)) == 1)
        assert one_waits, _activity(observer, cluster)
        (running,) = _waiting_workers(observer)
        busy_id = next(i for i in ids if f"scale-worker-{takers[i]}" != running)
        assert wait_until(lambda: sum(w.received(busy_id) for w in cluster.workers) >= 2), (
            _activity(observer, cluster)
        )
        assert _waiting_workers(observer) == [running]
    finally:
        holder.rollback()
        holder.close()
        observer.close()
    # The lock's holder goes on: the day is written afresh, with a clean run's figures.
    assert wait_until(lambda: _lock_record(organisation, today) > finished_before)
    assert _facts(organisation, today) == expected
