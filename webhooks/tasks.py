"""Celery tasks: deliver one event, sweep up retries that are due, the daily batch of
anonymous ideas, and the email to admins when an endpoint is switched off.

Retries are not Celery retries: a retry waits up to hours (WEBHOOKS_RETRY_DELAYS), far
longer than the broker's visibility timeout allows an ETA. Each delivery row keeps its
`next_attempt_at` instead, and `retry_due_webhooks_task` queues what is due every minute.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from improvewell.mail import EMAIL_RETRY, queue
from improvewell.periodic import daily, every_minutes, once_per_period
from improvewell.rls import cross_organisation
from organisations.models import Membership, Role
from organisations.tenancy import OrganisationTask

from . import sending, services
from .models import Event, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

SWEEP_BATCH = 500
# A delivery queued by the sweep is not queued again for this long, so a backed-up
# queue does not fill with copies (the claim would make them harmless, not free).
SWEEP_QUIET_SECONDS = 300


@shared_task(base=OrganisationTask)
def deliver_webhook_task(*, organisation, delivery_id):
    """Make one attempt at a delivery, if it is due and nobody else is making it.

    Idempotent: the claim (services.delivery_claim) lets one worker POST per attempt; a
    copy of the message finds nothing due and does nothing. The POST is made outside
    any transaction, and its outcome recorded in one.
    """
    delivery = services.delivery_claim(delivery_id)
    if delivery is None:
        return None
    endpoint = delivery.endpoint
    if endpoint.disabled and delivery.event != Event.TEST:
        services.delivery_skip(delivery)
        return WebhookDelivery.State.SKIPPED.value
    outcome = sending.post(
        url=endpoint.url,
        secret=endpoint.secret,
        message_id=str(delivery.pk),
        payload=delivery.payload,
    )
    recorded = services.delivery_record_attempt(delivery=delivery, outcome=outcome)
    return recorded and recorded.state


@shared_task
@once_per_period(every_minutes(1))
def retry_due_webhooks_task():
    """Every minute: queue the deliveries whose next attempt is due (retries, and first
    attempts the broker could not take). Returns how many it queued."""
    # Across organisations by design: one indexed query instead of one per organisation.
    with cross_organisation():
        due = list(
            WebhookDelivery.objects.filter(
                state=WebhookDelivery.State.PENDING, next_attempt_at__lte=timezone.now()
            )
            .order_by("next_attempt_at")
            .values_list("organisation_id", "pk")[:SWEEP_BATCH]
        )
    queued = 0
    for organisation_id, pk in due:
        if not cache.add(f"webhook-sweep:{pk}", 1, SWEEP_QUIET_SECONDS):
            continue
        if not queue(deliver_webhook_task, organisation_id=organisation_id, delivery_id=str(pk)):
            cache.delete(f"webhook-sweep:{pk}")
            break
        queued += 1
    return queued


@shared_task(base=OrganisationTask)
def announce_anonymous_ideas_task(*, organisation):
    """Daily: `idea.shared` for the anonymous ideas shared before today. Idempotent."""
    return services.anonymous_ideas_announce(organisation=organisation)


@shared_task
@once_per_period(daily)
def announce_anonymous_ideas_all_task():
    """Daily at 08:00, with the anonymous submitters' email: fan out to the organisations
    that have a switched-on endpoint."""
    with cross_organisation():  # which organisations have endpoints at all
        ids = sorted(
            set(
                WebhookEndpoint.objects.filter(disabled="").values_list(
                    "organisation_id", flat=True
                )
            )
        )
    for organisation_id in ids:
        announce_anonymous_ideas_task.delay(organisation_id=organisation_id)
    return len(ids)


@shared_task(base=OrganisationTask, **EMAIL_RETRY)
def send_endpoint_disabled_email_task(*, organisation, endpoint_id):
    """Tell the organisation's admins that an endpoint was switched off after failing.

    Idempotent: the endpoint records that they have been told.
    """
    endpoint = WebhookEndpoint.objects.filter(organisation=organisation, pk=endpoint_id).first()
    if endpoint is None or endpoint.disabled != WebhookEndpoint.Disabled.FAILING:
        return 0
    if endpoint.admins_told:
        return 0
    admins = Membership.objects.filter(
        organisation=organisation, role=Role.ORG_ADMIN, is_active=True, user__is_active=True
    ).select_related("user")
    link = settings.SITE_URL + reverse(
        "webhooks:webhook_detail",
        kwargs={"org_slug": organisation.slug, "endpoint_id": endpoint.pk},
    )
    context = {"endpoint": endpoint, "organisation": organisation, "link": link}
    message = render_to_string("webhooks/email/endpoint_disabled.txt", context)
    sent = 0
    for admin in admins:
        sent += send_mail(
            subject=f"[ImproveWell] A webhook of {organisation.name} has been switched off"[:200],
            message=message,
            from_email=None,
            recipient_list=[admin.user.email],
        )
    services.endpoint_mark_admins_told(endpoint)
    return sent
