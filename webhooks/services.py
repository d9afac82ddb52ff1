"""Writes for webhooks: endpoints, their deliveries and each attempt.

Every function runs in a transaction. Endpoint changes are an organisation admin's
(`can_manage_organisation`) and are audited. Deliveries are written in the transaction
of the change they announce (the signal receivers) and queued once it commits
(improvewell/mail.py's `queue_after_commit`); the periodic sweep queues whatever is
due and was not (webhooks/tasks.py).
"""

import base64
import ipaddress
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from ideas import anonymity
from ideas.models import Idea
from improvewell import versions
from improvewell.mail import queue_after_commit
from organisations import permissions
from organisations.models import Membership

from . import payloads
from .models import Event, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .sending import LOCAL_HOSTS, Outcome

# An anonymous idea shared up to this many days ago is still announced by the daily batch
# (a missed day is caught up); older ones are not, nor ideas from before the endpoint.
ANNOUNCE_LOOKBACK_DAYS = 7
# How long a claimed delivery is left to the worker that claimed it before the sweep
# may hand it to another: far longer than one POST can take.
CLAIM_LEASE = timedelta(minutes=5)


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def _internal(host: str) -> bool:
    """This machine or a private network, named by its address (not a DNS name)."""
    if host in LOCAL_HOSTS:
        return True
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return False


def check_url(url: str) -> None:
    """HTTPS only: payloads name ideas and wards. Plain http to this machine only for
    local development and the tests (`WEBHOOKS_ALLOW_LOCAL`, on with DEBUG); an address
    on a private network is refused too, so a webhook cannot probe the servers' own."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    local = settings.WEBHOOKS_ALLOW_LOCAL and host in LOCAL_HOSTS
    if parts.scheme not in ("https", "http") or not host:
        raise ValidationError({"url": "Enter an address that starts with https://."})
    if parts.scheme == "http" and not local:
        raise ValidationError({"url": "Enter an address that starts with https://."})
    if _internal(host) and not local:
        raise ValidationError({"url": "Enter an address on the internet or the NHS network."})


def _require_admin(member: Membership) -> None:
    permissions.require(
        permissions.can_manage_organisation(member), "Only organisation admins manage webhooks."
    )


def _check(member: Membership, url: str, events: list[str]) -> list[str]:
    _require_admin(member)
    check_url(url)
    chosen = [value for value, _ in Event.choices if value in set(events) and value != Event.TEST]
    if not chosen or len(chosen) != len(set(events)):
        raise ValidationError({"events": "Choose at least one event from the list."})
    return chosen


@transaction.atomic
def endpoint_create(
    *, member: Membership, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    """Add an endpoint with a new secret. The caller shows `endpoint.secret` once."""
    events = _check(member, url, events)
    endpoint = WebhookEndpoint.objects.create(
        organisation=member.organisation,
        url=url,
        description=description.strip(),
        events=events,
        secret=new_secret(),
        created_by=member.user,
    )
    audit.record(member, "added webhook endpoint", after={"url": url, "events": events})
    return endpoint


def _lock(member: Membership, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    permissions.require_same_organisation(member.organisation_id, endpoint)
    return WebhookEndpoint.objects.select_for_update(of=("self",)).get(pk=endpoint.pk)


@transaction.atomic
def endpoint_update(
    *, member: Membership, endpoint: WebhookEndpoint, url: str, events: list[str], description=""
) -> WebhookEndpoint:
    events = _check(member, url, events)
    endpoint = _lock(member, endpoint)
    before = {"url": endpoint.url, "events": endpoint.events}
    endpoint.url, endpoint.events, endpoint.description = url, events, description.strip()
    endpoint.save(update_fields=["url", "events", "description"])
    audit.record(
        member, "changed webhook endpoint", before=before, after={"url": url, "events": events}
    )
    return endpoint


@transaction.atomic
def endpoint_set_enabled(
    *, member: Membership, endpoint: WebhookEndpoint, enabled: bool
) -> WebhookEndpoint:
    """Switch an endpoint off or on again. On again starts its failure count afresh."""
    _require_admin(member)
    if enabled:
        check_url(endpoint.url)
    endpoint = _lock(member, endpoint)
    endpoint.disabled = "" if enabled else WebhookEndpoint.Disabled.BY_ADMIN
    endpoint.consecutive_failures = 0
    endpoint.save(update_fields=["disabled", "consecutive_failures"])
    action = "switched on webhook endpoint" if enabled else "switched off webhook endpoint"
    audit.record(member, action, after={"url": endpoint.url})
    return endpoint


@transaction.atomic
def endpoint_delete(*, member: Membership, endpoint: WebhookEndpoint) -> None:
    _require_admin(member)
    endpoint = _lock(member, endpoint)
    WebhookAttempt.objects.filter(delivery__endpoint=endpoint).delete()
    WebhookDelivery.objects.filter(endpoint=endpoint).delete()
    audit.record(member, "deleted webhook endpoint", before={"url": endpoint.url})
    endpoint.delete()


@transaction.atomic
def endpoint_send_test(*, member: Membership, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Queue a `webhook.test` event, sent like any other (also to a switched-off endpoint,
    to check it before switching it on again)."""
    _require_admin(member)
    permissions.require_same_organisation(member.organisation_id, endpoint)
    return delivery_create(endpoint, Event.TEST, payloads.test_event(member.organisation))


# Deliveries ---------------------------------------------------------------------------


def delivery_create(endpoint, event: str, payload: dict, *, subject_id="") -> WebhookDelivery:
    """Write a delivery in the caller's transaction and queue its first attempt on commit."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        organisation_id=endpoint.organisation_id,
        endpoint=endpoint,
        event=event,
        subject_id=str(subject_id),
        payload=payload,
        created_at=now,
        next_attempt_at=now,
    )
    _queue(delivery)
    return delivery


def _queue(delivery: WebhookDelivery) -> None:
    from .tasks import deliver_webhook_task

    queue_after_commit(
        deliver_webhook_task, organisation_id=delivery.organisation_id, delivery_id=str(delivery.pk)
    )


def subscribed_endpoints(organisation, event: str):
    """The organisation's switched-on endpoints that asked for `event`."""
    endpoints = WebhookEndpoint.objects.filter(organisation=organisation, disabled="")
    return [endpoint for endpoint in endpoints if event in endpoint.events]


def events_listened_to(organisation) -> list[str]:
    """The events some switched-on endpoint of the organisation asked for. Every idea
    shared asks, so the answer is kept until the organisation's set-up changes
    (improvewell.versions: endpoints are part of it); only the event names are kept,
    never an endpoint's address or secret."""

    def build():
        endpoints = WebhookEndpoint.objects.filter(organisation=organisation, disabled="")
        return sorted(
            {event for events in endpoints.values_list("events", flat=True) for event in events}
        )

    return versions.cached(organisation, "webhook-events", [], build, of_setup=True)


def announce(organisation, event: str, make_payload, *, subject_id="") -> int:
    """A delivery to every endpoint subscribed to `event`; `make_payload()` builds the
    payload only if there is one, so an organisation without webhooks pays nothing."""
    if event not in events_listened_to(organisation):
        return 0
    return _announce(organisation, event, make_payload, subject_id=subject_id)


@transaction.atomic
def _announce(organisation, event: str, make_payload, *, subject_id) -> int:
    endpoints = subscribed_endpoints(organisation, event)
    payload = make_payload() if endpoints else None
    for endpoint in endpoints:
        delivery_create(endpoint, event, payload, subject_id=subject_id)
    return len(endpoints)


def delivery_claim(delivery_id) -> WebhookDelivery | None:
    """Take a due delivery for this worker, or None if it is not due or another has it.

    A conditional UPDATE (as healthchecks' sendalerts does): of two workers given the
    same delivery (a retried message, the sweep), one gets it; a worker that dies leaves
    it to the sweep once `CLAIM_LEASE` has passed.
    """
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, state=WebhookDelivery.State.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + CLAIM_LEASE)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


@transaction.atomic
def delivery_skip(delivery: WebhookDelivery) -> None:
    """A switched-off endpoint gets nothing (but the test event): the delivery is closed."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        state=WebhookDelivery.State.SKIPPED, next_attempt_at=None
    )


@transaction.atomic
def delivery_record_attempt(
    *, delivery: WebhookDelivery, outcome: Outcome
) -> WebhookDelivery | None:
    """Log an attempt and decide what next: done, retry after the next delay, or failed.

    A failed delivery (every attempt used) counts against its endpoint; after
    `WEBHOOKS_DISABLE_AFTER` of them in a row the endpoint is switched off and the
    organisation's admins are told by email. Any delivery that gets through resets it.
    """
    delivery = (
        WebhookDelivery.objects.select_for_update(of=("self",)).filter(pk=delivery.pk).first()
    )
    if delivery is None:  # its endpoint was deleted while the POST was on its way
        return None
    endpoint = WebhookEndpoint.objects.select_for_update(of=("self",)).get(pk=delivery.endpoint_id)
    now = timezone.now()
    delivery.attempts += 1
    WebhookAttempt.objects.create(
        organisation_id=delivery.organisation_id,
        delivery=delivery,
        number=delivery.attempts,
        attempted_at=now,
        status_code=outcome.status_code,
        error=outcome.error[:200],
    )
    delivery.last_status_code = outcome.status_code
    delays = settings.WEBHOOKS_RETRY_DELAYS
    if outcome.succeeded:
        delivery.state, delivery.next_attempt_at = WebhookDelivery.State.SUCCEEDED, None
        endpoint.consecutive_failures = 0
    elif delivery.attempts <= len(delays):
        delivery.next_attempt_at = now + timedelta(seconds=delays[delivery.attempts - 1])
    else:
        delivery.state, delivery.next_attempt_at = WebhookDelivery.State.FAILED, None
        if delivery.event != Event.TEST:
            endpoint.consecutive_failures += 1
            _disable_if_failing(endpoint)
    delivery.save(update_fields=["attempts", "last_status_code", "state", "next_attempt_at"])
    endpoint.save(update_fields=["consecutive_failures", "disabled", "admins_told"])
    return delivery


def _disable_if_failing(endpoint: WebhookEndpoint) -> None:
    if endpoint.disabled or endpoint.consecutive_failures < settings.WEBHOOKS_DISABLE_AFTER:
        return
    from .tasks import send_endpoint_disabled_email_task

    endpoint.disabled = WebhookEndpoint.Disabled.FAILING
    endpoint.admins_told = False
    queue_after_commit(
        send_endpoint_disabled_email_task,
        organisation_id=endpoint.organisation_id,
        endpoint_id=str(endpoint.pk),
    )


@transaction.atomic
def endpoint_mark_admins_told(endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(admins_told=True)


@transaction.atomic
def anonymous_ideas_announce(*, organisation) -> int:
    """The daily batch: `idea.shared` for anonymous ideas shared before today.

    Anonymity: nothing about an anonymous idea is written or sent on the day it is
    shared, so neither a delivery row nor a receiver's log can place the sharing within
    its day. Ideas go out in the order of their random ids. Idempotent: each idea is
    announced once to each endpoint (a unique constraint), so a second run sends nothing.
    """
    today = anonymity.start_of_today()
    earliest = today - timedelta(days=ANNOUNCE_LOOKBACK_DAYS)
    ideas = list(
        Idea.objects.filter(organisation=organisation, is_anonymous=True, created_at__lt=today)
        .filter(created_at__gte=earliest)
        .select_related("organisation", "category", "ward__site", "site")
        .order_by("pk")
    )
    sent = 0
    for endpoint in subscribed_endpoints(organisation, Event.IDEA_SHARED):
        since = anonymity.start_of_day(endpoint.created_at)
        done = set(
            WebhookDelivery.objects.filter(
                endpoint=endpoint,
                event=Event.IDEA_SHARED,
                subject_id__in=[str(idea.pk) for idea in ideas],
            ).values_list("subject_id", flat=True)
        )
        for idea in ideas:
            if idea.created_at >= since and str(idea.pk) not in done:
                delivery_create(
                    endpoint, Event.IDEA_SHARED, payloads.idea_shared(idea), subject_id=idea.pk
                )
                sent += 1
    return sent
