"""Demo data: one switched-off example webhook with a short delivery log.

It points at an address that does not exist and is switched off, so the demo sends
nothing anywhere; the log shows what deliveries, retries and failures look like.
Idempotent: an organisation that has a webhook gets nothing more.
"""

from datetime import timedelta

from django.utils import timezone

from ideas.models import Idea

from . import payloads, services
from .models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint

EXAMPLE_URL = "https://hooks.example.nhs.uk/improvewell"


def seed_webhooks(organisation, *, admin) -> WebhookEndpoint | None:
    if WebhookEndpoint.objects.filter(organisation=organisation).exists():
        return None
    now = timezone.now()
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=EXAMPLE_URL,
        description="Example: the trust intranet's news feed",
        events=[Event.IDEA_SHARED, Event.IDEA_IMPLEMENTED],
        secret=services.new_secret(),
        disabled=WebhookEndpoint.Disabled.BY_ADMIN,
        created_by=admin.user,
        created_at=now - timedelta(days=3),
    )
    named = (
        Idea.objects.filter(organisation=organisation, is_anonymous=False)
        .select_related("organisation", "category", "ward__site", "site")
        .order_by("pk")
        .first()
    )
    log = [(Event.TEST, payloads.test_event(organisation), [200], 3)]
    if named is not None:
        log.append((Event.IDEA_SHARED, payloads.idea_shared(named), [503, 502, 200], 2))
    log.append((Event.TEST, payloads.test_event(organisation), [500, 500], 1))
    for event, payload, codes, days_ago in log:
        _delivery(endpoint, event, payload, codes, at=now - timedelta(days=days_ago))
    return endpoint


def _delivery(endpoint, event, payload, codes, *, at):
    succeeded = codes[-1] < 300
    delivery = WebhookDelivery.objects.create(
        organisation_id=endpoint.organisation_id,
        endpoint=endpoint,
        event=event,
        subject_id=payload["data"].get("idea", {}).get("id", ""),
        payload=payload,
        state=WebhookDelivery.State.SUCCEEDED if succeeded else WebhookDelivery.State.FAILED,
        attempts=len(codes),
        last_status_code=codes[-1],
        created_at=at,
    )
    for number, code in enumerate(codes, start=1):
        WebhookAttempt.objects.create(
            organisation_id=endpoint.organisation_id,
            delivery=delivery,
            number=number,
            attempted_at=at + timedelta(minutes=number),
            status_code=code,
        )
