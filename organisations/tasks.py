import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from improvewell.mail import EMAIL_RETRY, queue
from improvewell.periodic import every_minutes, once_per_period
from improvewell.rls import tenant_scope
from improvewell.validators import one_line
from organisations.tenancy import OrganisationTask

from .models import ImportJob, Invitation, Organisation
from .staff_import import staff_import_apply

logger = logging.getLogger(__name__)


@shared_task(base=OrganisationTask, **EMAIL_RETRY)
def send_invitation_email_task(*, organisation, invitation_id):
    """Email an invitation link once.

    Idempotent: a pending invitation whose email has gone out is not mailed again,
    so a task redelivered after a worker died sends nothing twice (at most once more
    if the worker died between sending and recording it).
    """
    invitation = (
        Invitation.objects.filter(organisation=organisation, pk=invitation_id)
        .select_related("invited_by")
        .first()
    )
    if (
        invitation is None
        or invitation.email_sent_at
        or invitation.state != Invitation.State.PENDING
    ):
        return
    link = settings.SITE_URL + reverse("invitation_open", kwargs={"token": invitation.token})
    context = {"invitation": invitation, "organisation": organisation, "link": link}
    send_mail(
        subject=one_line(render_to_string("organisations/email/invitation_subject.txt", context)),
        message=render_to_string("organisations/email/invitation_message.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )
    Invitation.objects.filter(pk=invitation.pk).update(email_sent_at=timezone.now())


def unsent_invitation_ids(organisation, *, created_before, limit: int) -> list[str]:
    """Pending invitations of the organisation whose email never went out, oldest first:
    for the email catch-up (ideas.tasks.email_catch_up_task). Run inside its scope."""
    return [
        str(pk)
        for pk in Invitation.objects.filter(
            organisation=organisation,
            email_sent_at__isnull=True,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            created_at__lte=created_before,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    ]


@shared_task(
    base=OrganisationTask,
    autoretry_for=(OperationalError,),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=5,
)
def staff_import_apply_task(*, organisation, job_id):
    """Apply a checked staff import in one transaction.

    Idempotent: only a job still applying is worked on, under a row lock, so a redelivered
    or retried task applies the file once (organisations.staff_import)."""
    staff_import_apply(organisation=organisation, job_id=job_id)


# A job applying whose task has not started this long after it was sent is sent again;
# one sent again this many times is given up (nothing of it was applied).
IMPORT_STUCK_AFTER = timedelta(minutes=5)
IMPORT_MAX_REQUEUES = 12
IMPORT_GIVEN_UP = (
    "The import could not be run, so nothing was changed. Upload the file again to "
    "check and apply it."
)


def _stuck_import_jobs(organisation, now) -> list[str]:
    """Claim the organisation's applying jobs that no worker holds and that were sent
    long enough ago; a claim moves `queued_at` on, so the next sweep waits again.

    A running apply holds its job's row lock for the whole apply, so SKIP LOCKED leaves
    it alone: only jobs whose task never arrived (the broker was down when the admin
    pressed apply, or lost the message) or whose worker gave up are claimed."""
    with transaction.atomic():
        stuck = ImportJob.objects.select_for_update(skip_locked=True).filter(
            Q(queued_at__isnull=True) | Q(queued_at__lt=now - IMPORT_STUCK_AFTER),
            organisation=organisation,
            state=ImportJob.State.APPLYING,
        )
        rows = list(stuck.values_list("pk", "requeued"))
        given_up = [pk for pk, requeued in rows if requeued >= IMPORT_MAX_REQUEUES]
        ids = [pk for pk, requeued in rows if requeued < IMPORT_MAX_REQUEUES]
        ImportJob.objects.filter(pk__in=given_up).update(
            state=ImportJob.State.FAILED, errors=[IMPORT_GIVEN_UP], content="", finished_at=now
        )
        ImportJob.objects.filter(pk__in=ids).update(queued_at=now, requeued=F("requeued") + 1)
    return [str(pk) for pk in ids]


@shared_task
@once_per_period(every_minutes(5))
def staff_import_sweep_task():
    """Every five minutes: send again the staff imports left applying with no worker on
    them. The apply is all or nothing and works only on a job still applying, under its
    row lock, so a copy that arrives twice applies the file once. Returns how many it sent.
    """
    sent = 0
    now = timezone.now()
    for organisation in Organisation.objects.order_by("pk"):
        with tenant_scope(organisation):
            job_ids = _stuck_import_jobs(organisation, now)
        for job_id in job_ids:
            if not queue(staff_import_apply_task, organisation_id=organisation.pk, job_id=job_id):
                return sent  # the broker is down: the next sweep tries again
            sent += 1
    if sent:
        logger.warning("Sent %d staff imports again that were left applying", sent)
    return sent
