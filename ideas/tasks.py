import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from improvewell.tenancy import OrganisationTask
from improvewell.validators import one_line

from .anonymity import user_for_token
from .models import Notification


@shared_task(
    base=OrganisationTask,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=900,
    retry_jitter=True,
    max_retries=6,
)
def send_notification_email_task(*, organisation, notification_id):
    """Email one notification to its recipient, if they want email.

    Idempotent: a notification already emailed is not emailed again. For an
    anonymous idea the recipient is found from the token at send time; the address
    is never stored with the notification, and the email names no one.
    """
    notification = (
        Notification.objects.filter(organisation=organisation, pk=notification_id)
        .select_related("idea", "recipient")
        .first()
    )
    if notification is None or notification.emailed_at is not None:
        return
    recipient = notification.recipient or user_for_token(organisation, notification.recipient_token)
    if recipient is None or not recipient.is_active or not recipient.email_notifications:
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
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
