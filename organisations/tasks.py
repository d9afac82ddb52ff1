from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import OperationalError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from improvewell.mail import EMAIL_RETRY
from improvewell.validators import one_line
from organisations.tenancy import OrganisationTask

from .models import Invitation
from .staff_import import staff_import_apply


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
