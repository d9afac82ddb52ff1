from django.db.models import OuterRef, Prefetch, Subquery

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

RECENT_DELIVERIES = 50


def endpoint_list(organisation):
    """The organisation's endpoints, each with its latest delivery's state and status code."""
    latest = WebhookDelivery.objects.filter(endpoint=OuterRef("pk")).order_by("-created_at", "id")
    return WebhookEndpoint.objects.filter(organisation=organisation).annotate(
        last_state=Subquery(latest.values("state")[:1]),
        last_status_code=Subquery(latest.values("last_status_code")[:1]),
    )


def recent_deliveries(endpoint, *, limit: int = RECENT_DELIVERIES) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first, with their attempts."""
    return list(
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .defer("payload")
        .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.all()))[:limit]
    )
