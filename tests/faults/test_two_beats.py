"""Two `celery beat` processes run at once: each periodic job still runs once a period.

Two real beat processes read the same schedule from the test database (django-celery-
beat's DatabaseScheduler) and send today's roll-up every second to a queue of its own,
where a real worker runs it. Each run fans out one roll-up per organisation onto the
default queue, which nobody consumes here, so the test counts how often the job ran:
once per quarter-hour (improvewell/periodic.py), however many copies the beats sent.
"""

import re

import pytest
import redis
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from improvewell.models import ScheduledRun

from .conftest import celery_process, stop, wait_until, worker_process

JOB = "dashboards.tasks.rollup_today_task"
SENDS = re.compile(rf"Sending due task .* \({re.escape(JOB)}\)")


def schedule_every_second():
    """Only the test's schedule: the real ones would send other jobs meanwhile."""
    PeriodicTask.objects.all().delete()
    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.create(
        name="Roll up today every second (test)",
        task=JOB,
        interval=every_second,
        queue="periodic",
    )


@pytest.mark.django_db(transaction=True)
def test_two_beats_sending_the_same_job_run_it_once_per_period(
    postgresql, private_redis, tmp_path, organisation, other_organisation
):
    schedule_every_second()
    logs = [(tmp_path / f"{name}.log").open("w") for name in ("worker", "beat-1", "beat-2")]
    broker = redis.Redis(port=private_redis.port)

    def sent(number):
        return len(SENDS.findall((tmp_path / f"beat-{number}.log").read_text()))

    worker = worker_process(private_redis.url, logs[0], queue="periodic")
    beats = [
        celery_process(
            private_redis.url,
            logs[number],
            "beat",
            "--max-interval=1",
            f"--schedule={tmp_path / f'beat-{number}-schedule'}",
            f"--pidfile={tmp_path / f'beat-{number}.pid'}",
            level="INFO",
        )
        for number in (1, 2)
    ]
    try:
        assert wait_until(lambda: sent(1) >= 3 and sent(2) >= 3, seconds=45), [
            (tmp_path / f"{name}.log").read_text()[-2000:] for name in ("beat-1", "beat-2")
        ]
        stop(*beats)
        done = wait_until(
            lambda: broker.llen("periodic") == 0 and broker.hlen("unacked") == 0, seconds=30
        )
        assert done, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        stop(*beats, worker)
        for log in logs:
            log.close()

    periods = list(ScheduledRun.objects.filter(task=JOB).values_list("period", flat=True))
    # One period, or two if the test ran across a quarter-hour.
    assert 1 <= len(periods) <= 2, periods
    assert sent(1) + sent(2) >= 6
    # Each run sent one roll-up per organisation: two organisations, one run per period.
    assert broker.llen("celery") == 2 * len(periods)
