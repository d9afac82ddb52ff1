import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from improvewell.mail import EMAIL_RETRY, queue
from improvewell.periodic import daily, every_minutes, once_per_period
from improvewell.rls import tenant_scope
from improvewell.validators import one_line
from organisations.models import Organisation
from organisations.tasks import send_invitation_email_task, unsent_invitation_ids
from organisations.tenancy import OrganisationTask

from .models import Notification
from .services import anonymous_updates_send

logger = logging.getLogger(__name__)


@shared_task(base=OrganisationTask, **EMAIL_RETRY)
def send_notification_email_task(*, organisation, notification_id):
    """Email one notification about a named idea to its author, if they want email.

    Idempotent: a notification already emailed is not emailed again. Notifications
    addressed by token (anonymous ideas) are never sent here: the daily
    `send_anonymous_updates_task` tells those submitters, without naming the idea.
    """
    notification = (
        Notification.objects.filter(
            organisation=organisation, pk=notification_id, recipient__isnull=False
        )
        .select_related("idea", "recipient")
        .first()
    )
    if notification is None or notification.is_emailed:
        return
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email_notifications:
        return
    link = settings.SITE_URL + reverse(
        "ideas:detail",
        kwargs={"org_slug": organisation.slug, "idea_id": notification.idea_id},
    )
    context = {"notification": notification, "organisation": organisation, "link": link}
    send_mail(
        subject=one_line(f"[ImproveWell] {notification.text}")[:200],
        message=render_to_string("ideas/email/notification.txt", context),
        from_email=None,
        recipient_list=[recipient.email],
    )
    Notification.objects.filter(pk=notification.pk).update(is_emailed=True)


@shared_task(base=OrganisationTask, **EMAIL_RETRY)
def send_anonymous_updates_task(*, organisation):
    """Once a day: one email to each anonymous submitter who has updates. Idempotent."""
    return anonymous_updates_send(organisation=organisation)


@shared_task
@once_per_period(daily)
def send_anonymous_updates_all_task():
    """Daily at a fixed hour: fan out one task per organisation."""
    ids = list(Organisation.objects.values_list("pk", flat=True))
    for organisation_id in ids:
        send_anonymous_updates_task.delay(organisation_id=organisation_id)
    return len(ids)


# The email catch-up. A row younger than this may still be on its way through the queue.
CATCH_UP_AFTER = timedelta(minutes=2)
# An update older than this is no news by email; the notification stays in the app.
NOTIFICATION_EMAIL_WINDOW = timedelta(days=2)
# One row is queued again at most once an hour: while the mail server is down, the task
# already queued keeps retrying for up to an hour (EMAIL_RETRY), and a fresh copy every
# run would pile up retries.
CATCH_UP_QUIET_SECONDS = 3600
CATCH_UP_BATCH = 200


def _unsent_notification_ids(organisation, now) -> list[int]:
    """Named ideas' notifications still to email. Anonymous ideas' notifications never
    are (they have no recipient, only a token): the daily anonymous email tells those."""
    return list(
        Notification.objects.filter(
            organisation=organisation,
            is_emailed=False,
            recipient__isnull=False,
            idea__is_anonymous=False,
            recipient__is_active=True,
            recipient__email_notifications=True,
            created_at__lte=now - CATCH_UP_AFTER,
            created_at__gt=now - NOTIFICATION_EMAIL_WINDOW,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:CATCH_UP_BATCH]
    )


def _unsent(now):
    """(task, ids) for each email still to send, organisation by organisation."""
    for organisation in Organisation.objects.order_by("pk"):
        with tenant_scope(organisation):
            notification_ids = _unsent_notification_ids(organisation, now)
            invitation_ids = unsent_invitation_ids(
                organisation, created_before=now - CATCH_UP_AFTER, limit=CATCH_UP_BATCH
            )
        for pk in notification_ids:
            yield send_notification_email_task, organisation.pk, {"notification_id": pk}
        for pk in invitation_ids:
            yield send_invitation_email_task, organisation.pk, {"invitation_id": pk}


def _queue_again(task, **ids) -> bool | None:
    """True if queued, False if queued already within the quiet hour, None if the broker
    could not take it (then the next run tries again)."""
    key = "email-catch-up:" + ":".join(f"{k}={v}" for k, v in sorted(ids.items()))
    if not cache.add(key, 1, CATCH_UP_QUIET_SECONDS):
        return False
    if queue(task, **ids):
        return True
    cache.delete(key)
    return None


@shared_task
@once_per_period(every_minutes(5))
def email_catch_up_task():
    """Every five minutes: queue again the notification and invitation emails that were
    never sent (the broker was down when their request tried, or a worker gave up).

    Idempotent: the email tasks skip what has gone out meanwhile. Stops at the first
    refusal of the broker; the next run goes on. Returns how many tasks it queued.
    """
    queued = 0
    for task, organisation_id, ids in _unsent(timezone.now()):
        outcome = _queue_again(task, organisation_id=organisation_id, **ids)
        if outcome is None:
            break
        queued += outcome
    if queued:
        logger.warning("Email catch-up queued %d unsent emails again", queued)
    return queued
