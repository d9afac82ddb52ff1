from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from improvewell.mail import EMAIL_RETRY
from improvewell.validators import one_line
from organisations.models import Organisation
from organisations.tenancy import OrganisationTask

from .models import Notification
from .services import anonymous_updates_send


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
def send_anonymous_updates_all_task():
    """Daily at a fixed hour: fan out one task per organisation."""
    ids = list(Organisation.objects.values_list("pk", flat=True))
    for organisation_id in ids:
        send_anonymous_updates_task.delay(organisation_id=organisation_id)
    return len(ids)
