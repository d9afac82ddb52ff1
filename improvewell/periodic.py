"""Periodic jobs run at most once per period, however many beat processes send them.

Only one `celery beat` should run, but during a deployment, a failover or by mistake
two may, and each sends every due job. A job sent by beat therefore first claims its
period: it inserts (task, period) into ScheduledRun, whose unique constraint lets one
insert through, in the same transaction as the job's own work. A second copy waits
for that transaction: if it committed, the copy finds the claim and does nothing; if
the first copy failed or its worker died, the claim went with its transaction and the
copy does the work. So a period's job runs once, and is not lost to a crash.

Why a row and not a Redis key with an expiry: the claim is then exactly as durable as
the job's work and is released by the same rollback, with no expiry to choose.

The period is taken from when beat sent the message (the `published_at` header,
stamped in improvewell/celery.py), not from when a worker got to it, so a queue that
is behind, or a second beat that starts late and sends a tick again, still names the
tick's own period. A job called directly or sent by hand (an operator re-running it,
the tests) has no `periodic_task_name` header and always runs.
"""

import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from celery import current_task
from django.db import connection, transaction
from django.utils import timezone

PUBLISHED_AT = "published_at"
# Claims older than this are deleted as new ones are made: no period is that long.
KEEP_CLAIMS = timedelta(days=35)

logger = logging.getLogger(__name__)


def every_minutes(minutes: int) -> Callable[[datetime], str]:
    """Periods of `minutes` minutes from the hour (15: :00, :15, :30, :45)."""

    def period(at: datetime) -> str:
        start = at.replace(minute=at.minute - at.minute % minutes, second=0, microsecond=0)
        return start.isoformat(timespec="minutes")

    return period


def daily(at: datetime) -> str:
    """The London day."""
    return at.date().isoformat()


def weekly(at: datetime) -> str:
    """The week, Monday to Sunday, by its Monday."""
    return (at.date() - timedelta(days=at.weekday())).isoformat()


def claim(task: str, period: str) -> bool:
    """Insert the claim; False if another copy holds it. Call inside the job's transaction:
    the claim lasts as long as the job's work does."""
    from improvewell.models import ScheduledRun

    table = connection.ops.quote_name(ScheduledRun._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (task, period, claimed_at) VALUES (%s, %s, %s)"  # noqa: S608
            " ON CONFLICT (task, period) DO NOTHING RETURNING id",
            [task, period, now],
        )
        claimed = cursor.fetchone() is not None
    if claimed:
        ScheduledRun.objects.filter(task=task, claimed_at__lt=now - KEEP_CLAIMS).delete()
    return claimed


def _header(request, name):
    # A worker puts a message's headers on the request itself; apply() under `headers`.
    return request.get(name) or (request.headers or {}).get(name)


def once_per_period(period: Callable[[datetime], str]):
    """Decorate a periodic task's function (under @shared_task) so that beat's copies of
    it run once per `period` (every_minutes(n), daily or weekly, in London time).

    A skipped copy returns None. The job runs inside one transaction with its claim:
    keep such jobs short (the periodic ones fan out to a task per organisation).
    """

    def decorate(job):
        @functools.wraps(job)
        def run(*args, **kwargs):
            request = current_task.request if current_task else None
            if request is None or not _header(request, "periodic_task_name"):
                return job(*args, **kwargs)
            sent = _header(request, PUBLISHED_AT)
            at = datetime.fromtimestamp(sent, tz=UTC) if sent else timezone.now()
            key = period(timezone.localtime(at))
            with transaction.atomic():
                if not claim(current_task.name, key):
                    logger.info("%s has run for %s already; this copy does nothing", job, key)
                    return None
                return job(*args, **kwargs)

        return run

    return decorate
