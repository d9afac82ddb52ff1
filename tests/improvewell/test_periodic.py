"""A periodic job sent more than once for a period (two beats) runs once for it.

The jobs run eagerly here, with the headers beat's messages carry; two real beat
processes and a worker are in tests/faults/test_two_beats.py.
"""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from dashboards.tasks import rollup_today_task
from improvewell.celery import app
from improvewell.models import ScheduledRun
from improvewell.periodic import PUBLISHED_AT, daily, every_minutes, once_per_period, weekly


@app.task(name="tests.improvewell.test_periodic.job")
@once_per_period(daily)
def job(*, fail: bool):
    if fail:
        raise RuntimeError("the mail server said no")
    return "done"


def from_beat(at: datetime) -> dict:
    return {"periodic_task_name": "Some schedule", PUBLISHED_AT: at.timestamp()}


def test_periods_are_london_quarter_hours_days_and_weeks():
    quarter = every_minutes(15)
    before_the_clocks_go_back = timezone.localtime(datetime(2026, 10, 25, 0, 40, tzinfo=UTC))
    after_the_clocks_go_back = timezone.localtime(datetime(2026, 10, 25, 1, 40, tzinfo=UTC))
    # The hour from one to two o'clock happens twice: its quarters are not the same periods.
    assert quarter(before_the_clocks_go_back) == "2026-10-25T01:30+01:00"
    assert quarter(after_the_clocks_go_back) == "2026-10-25T01:30+00:00"
    late_sunday = timezone.localtime(datetime(2026, 11, 29, 23, 59, tzinfo=UTC))
    assert daily(late_sunday) == "2026-11-29"
    assert weekly(late_sunday) == "2026-11-23"  # the Monday of that week


@pytest.mark.django_db
def test_a_job_beat_sent_twice_for_a_quarter_hour_runs_once(organisation, other_organisation):
    tick = datetime(2026, 11, 30, 9, 15, 2, tzinfo=UTC)
    again = datetime(2026, 11, 30, 9, 16, 40, tzinfo=UTC)  # a second beat, late
    next_tick = datetime(2026, 11, 30, 9, 30, 1, tzinfo=UTC)

    assert rollup_today_task.apply(headers=from_beat(tick)).get() == 2
    assert rollup_today_task.apply(headers=from_beat(again)).get() is None
    assert rollup_today_task.apply(headers=from_beat(next_tick)).get() == 2
    assert sorted(ScheduledRun.objects.values_list("period", flat=True)) == [
        "2026-11-30T09:15+00:00",
        "2026-11-30T09:30+00:00",
    ]


@pytest.mark.django_db
def test_a_job_run_by_hand_always_runs(organisation):
    assert rollup_today_task.apply().get() == 1
    assert rollup_today_task.apply().get() == 1
    assert not ScheduledRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_job_that_failed_leaves_its_period_to_the_next_copy():
    """The claim is in the job's transaction: a failure (or a killed worker) gives it back."""
    today = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    with pytest.raises(RuntimeError):
        job.apply(kwargs={"fail": True}, headers=from_beat(today))
    assert not ScheduledRun.objects.exists()
    assert job.apply(kwargs={"fail": False}, headers=from_beat(today)).get() == "done"
    assert job.apply(kwargs={"fail": False}, headers=from_beat(today)).get() is None
