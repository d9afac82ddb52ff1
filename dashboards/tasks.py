from datetime import date, timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from improvewell.mail import EMAIL_RETRY
from improvewell.periodic import daily, every_minutes, once_per_period, weekly
from organisations.models import Organisation
from organisations.tenancy import OrganisationTask

from .digest import send_weekly_digests
from .rollup import RollupBusy, rollup_day, rollup_range


@shared_task(
    base=OrganisationTask,
    autoretry_for=(RollupBusy, OperationalError),
    retry_backoff=15,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def rollup_organisation_day_task(*, organisation, day: str):
    """Roll up one organisation-day. Idempotent; retried when the same day is already
    being rolled up or the database is briefly unavailable."""
    return rollup_day(organisation, date.fromisoformat(day))


@shared_task(
    base=OrganisationTask,
    autoretry_for=(RollupBusy, OperationalError),
    retry_backoff=15,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def rollup_range_task(*, organisation, first: str, last: str):
    """Roll up a range of days again, after wards were merged or moved. Idempotent;
    retried like a single day."""
    return rollup_range(organisation, date.fromisoformat(first), date.fromisoformat(last))


def _fan_out(day: date) -> int:
    # The scheduler's one cross-organisation step: it sends one task per organisation.
    ids = list(Organisation.objects.values_list("pk", flat=True))
    for organisation_id in ids:
        rollup_organisation_day_task.delay(organisation_id=organisation_id, day=day.isoformat())
    return len(ids)


@shared_task
@once_per_period(every_minutes(15))
def rollup_today_task():
    """Every 15 minutes: today's figures so far."""
    return _fan_out(timezone.localdate())


@shared_task
@once_per_period(daily)
def rollup_yesterday_task():
    """Nightly: yesterday's final figures (late edits and responses included)."""
    return _fan_out(timezone.localdate() - timedelta(days=1))


@shared_task(base=OrganisationTask, **EMAIL_RETRY)
def send_weekly_digests_task(*, organisation, week_start: str):
    """Send one organisation's digests for a week. Idempotent: DigestSent records who got one."""
    return send_weekly_digests(organisation, date.fromisoformat(week_start))


@shared_task
@once_per_period(weekly)
def send_weekly_digests_all_task():
    """Mondays: last week's digest (Monday to Sunday) for every organisation."""
    today = timezone.localdate()
    week_start = today - timedelta(days=today.weekday() + 7)
    ids = list(Organisation.objects.values_list("pk", flat=True))
    for organisation_id in ids:
        send_weekly_digests_task.delay(
            organisation_id=organisation_id, week_start=week_start.isoformat()
        )
    return len(ids)
