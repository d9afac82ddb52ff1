"""The Celery worker is killed (SIGKILL) in the middle of a roll-up and started again:
the day's figures are those of a clean run, and nothing was half-written in between.

A real worker process runs the roll-up from a private Redis (tests/faults/conftest.py)
against the test database. To kill it at a known point without any hook in the code,
the test holds a lock on the daily figures' table: the roll-up computes the day, then
waits for that lock inside its transaction, holding the day's roll-up lock (RollupRun).
The worker is killed there. The broker hands the unacknowledged task to the next
worker (acks late; the visibility timeout is lowered to seconds here), whose run must
not find the day locked by the dead one.
"""

import signal

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from dashboards.models import DailyFact, RollupRun
from dashboards.rollup import FACT_FIELDS, rollup_day
from dashboards.tasks import rollup_organisation_day_task
from ideas import services
from tests.conftest import membership

from .conftest import stop, wait_until, worker_process

WAITING_FOR_THE_FIGURES = """
    SELECT count(*) FROM pg_locks
    WHERE relation = 'dashboards_dailyfact'::regclass AND NOT granted
"""


def figures(organisation, day):
    with scopes_disabled():
        rows = DailyFact.objects.filter(organisation=organisation, day=day)
        return sorted(rows.values_list(*[f for f in FACT_FIELDS if f != "organisation_id"]))


def a_busy_day(organisation, share, bob, lena, ward):
    """Ideas, named and anonymous, with supports and comments; returns their day."""
    with scope(organisation=organisation):
        for number in range(6):
            idea = share(bob, anonymous=number % 3 == 0, title=f"Idea {number}")
            services.idea_support(member=membership(lena, organisation), idea=idea)
            services.comment_add(
                member=membership(lena, organisation), idea=idea, body="Let's try it."
            )
    return timezone.localdate(idea.created_at)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_a_roll_up_leaves_the_figures_of_a_clean_run(
    postgresql, private_redis, tmp_path, organisation, ward, share, bob, lena
):
    day = a_busy_day(organisation, share, bob, lena, ward)
    log = (tmp_path / "worker.log").open("w")
    # The test's own connection, as the database's owner, holds the lock.
    blocker = psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        user=connection.settings_dict["USER"],
        host=connection.settings_dict["HOST"] or "127.0.0.1",
        port=connection.settings_dict["PORT"] or 5432,
        password=connection.settings_dict["PASSWORD"] or None,
    )
    first = second = None
    try:
        blocker.execute("LOCK TABLE dashboards_dailyfact IN SHARE MODE")
        first = worker_process(private_redis.url, log)
        rollup_organisation_day_task.delay(organisation_id=organisation.pk, day=day.isoformat())

        def waiting():
            with connection.cursor() as cursor:
                cursor.execute(WAITING_FOR_THE_FIGURES)
                return cursor.fetchone()[0] == 1

        assert wait_until(waiting, seconds=30), (tmp_path / "worker.log").read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        blocker.rollback()  # the lock goes; the dead worker's transaction can only fail

        # Nothing of the killed run is visible: no figures, the day not finished.
        assert figures(organisation, day) == []
        with scopes_disabled():
            assert RollupRun.objects.get(organisation=organisation, day=day).finished_at is None

        second = worker_process(private_redis.url, log)

        def finished():
            with scopes_disabled():
                return RollupRun.objects.filter(
                    organisation=organisation, day=day, finished_at__isnull=False
                ).exists()

        assert wait_until(finished, seconds=30), (tmp_path / "worker.log").read_text()
    finally:
        stop(first, second)
        blocker.close()
        log.close()

    after_the_kill = figures(organisation, day)
    with scope(organisation=organisation):
        rollup_day(organisation, day)  # a clean run, in this process, of the same data
    assert after_the_kill == figures(organisation, day)
    with scopes_disabled():
        whole = DailyFact.objects.get(organisation=organisation, day=day, level="organisation")
    assert (whole.ideas, whole.supports, whole.comments) == (6, 6, 6)
    assert [row[1] for row in after_the_kill] == ["organisation", "site", "ward"]
