import logging
from datetime import date, timedelta

from celery import shared_task
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from improvewell.mail import EMAIL_RETRY, queue
from improvewell.periodic import daily, every_minutes, once_per_period, weekly
from improvewell.rls import tenant_scope
from organisations.models import Organisation
from organisations.tenancy import OrganisationTask

from .digest import send_weekly_digests
from .models import RollupRequest
from .rollup import RollupBusy, rollup_day, rollup_range

logger = logging.getLogger(__name__)
# A roll-up is retried when the same day is already being rolled up, or the database is
# briefly unavailable.
ROLLUP_RETRIES = {
    "autoretry_for": (RollupBusy, OperationalError),
    "retry_backoff": 15,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(base=OrganisationTask, **ROLLUP_RETRIES)
def rollup_organisation_day_task(*, organisation, day: str):
    """Roll up one organisation-day. Idempotent; retried when the same day is already
    being rolled up or the database is briefly unavailable."""
    return rollup_day(organisation, date.fromisoformat(day))


@shared_task(base=OrganisationTask, **ROLLUP_RETRIES)
def rollup_request_task(*, organisation, request_id: int):
    """Roll up the days a RollupRequest names, then delete it. Idempotent: a request
    already done is gone, and rolling up a day twice gives the same rows."""
    request = RollupRequest.objects.filter(organisation=organisation, pk=request_id).first()
    if request is None:
        return 0
    written = rollup_range(organisation, request.first, request.last)
    RollupRequest.objects.filter(organisation=organisation, pk=request_id).delete()
    return written


# A roll-up request still there this long after it was sent is sent again: longer than a
# roll-up of a large trust's years takes, so that a running one is rarely sent twice (a
# copy that is, waits for the running one: RollupBusy, retried).
ROLLUP_REQUEST_STUCK_AFTER = timedelta(minutes=30)
# One never sent (the broker was down when the change committed) after this long: the
# send after commit has given up by then.
ROLLUP_REQUEST_UNSENT_AFTER = timedelta(minutes=2)


def _stuck_rollup_requests(organisation, now) -> list[int]:
    """Claim the organisation's requests never sent, or sent long enough ago."""
    unsent = Q(queued_at__isnull=True, requested_at__lt=now - ROLLUP_REQUEST_UNSENT_AFTER)
    with transaction.atomic():
        stuck = RollupRequest.objects.select_for_update(skip_locked=True).filter(
            unsent | Q(queued_at__lt=now - ROLLUP_REQUEST_STUCK_AFTER),
            organisation=organisation,
        )
        ids = list(stuck.values_list("pk", flat=True))
        RollupRequest.objects.filter(pk__in=ids).update(queued_at=now)
    return ids


@shared_task
@once_per_period(every_minutes(5))
def rollup_requests_sweep_task():
    """Every five minutes: send again the roll-ups that merging or moving wards asked for
    and that never ran (the broker was down, or the task was lost or gave up). Stops at
    the first refusal of the broker; the next sweep goes on. Returns how many it sent."""
    sent = 0
    now = timezone.now()
    for organisation in Organisation.objects.order_by("pk"):
        with tenant_scope(organisation):
            request_ids = _stuck_rollup_requests(organisation, now)
        for request_id in request_ids:
            if not queue(
                rollup_request_task, organisation_id=organisation.pk, request_id=request_id
            ):
                return sent
            sent += 1
    if sent:
        logger.warning("Sent %d roll-ups of merged or moved wards again", sent)
    return sent


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
