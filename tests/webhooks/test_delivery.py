"""Signed deliveries to a real receiver: signature, retries, switching off a failing one."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from ideas import services as idea_services
from ideas.models import Status
from projects import services as project_services
from tests.conftest import membership
from webhooks import services, tasks
from webhooks.models import WebhookDelivery, WebhookEndpoint

from .conftest import deliveries

pytestmark = pytest.mark.django_db


def test_a_named_idea_is_delivered_at_once_and_signed_for_standard_webhooks(
    endpoint, receiver, bob, share, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        idea = share(bob, title="Label the night fridge")
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    payload = Webhook(endpoint.secret).verify(request["body"], request["headers"])
    assert payload["type"] == "idea.shared"
    assert payload["data"]["idea"]["id"] == str(idea.pk)
    assert payload["data"]["idea"]["title"] == "Label the night fridge"
    assert payload["data"]["idea"]["url"].endswith(f"/city-hospitals/ideas/{idea.pk}/")
    (delivery,) = deliveries(endpoint)
    assert request["headers"]["webhook-id"] == str(delivery.pk)
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)


def test_a_signature_under_another_secret_does_not_verify(
    endpoint, receiver, bob, share, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        share(bob)
    request = receiver.requests[0]
    with pytest.raises(WebhookVerificationError):
        Webhook(services.new_secret()).verify(request["body"], request["headers"])
    tampered = request["body"].replace(b"Second", b"Third")
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(tampered, request["headers"])


def test_a_delivery_answered_500_is_retried_and_then_delivered(
    endpoint, receiver, bob, share, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_DELAYS = [0, 0]
    receiver.answers.extend([500, 200])
    receiver.answers.popleft()  # answer 500, then 200
    with django_capture_on_commit_callbacks(execute=True):
        share(bob)
    (delivery,) = deliveries(endpoint)
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.retry_due_webhooks_task() == 1
    (delivery,) = deliveries(endpoint)
    assert (delivery.state, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 200)
    with scopes_disabled():
        codes = list(delivery.attempt_log.values_list("number", "status_code"))
    assert codes == [(1, 500), (2, 200)]
    # Both attempts carry the same webhook-id, so the receiver can tell a retry.
    assert len({r["headers"]["webhook-id"] for r in receiver.requests}) == 1


def test_a_retry_waits_for_its_delay(
    endpoint, receiver, bob, share, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_DELAYS = [60]
    receiver.answers = type(receiver.answers)([500])
    with django_capture_on_commit_callbacks(execute=True):
        share(bob)
    assert tasks.retry_due_webhooks_task() == 0
    (delivery,) = deliveries(endpoint)
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert len(receiver.requests) == 1


def test_a_second_copy_of_the_task_does_not_post_again(
    endpoint, receiver, bob, share, organisation
):
    share(bob)  # its on-commit queueing is not run: the task is called by hand below
    (delivery,) = deliveries(endpoint)
    tasks.deliver_webhook_task(organisation_id=organisation.pk, delivery_id=str(delivery.pk))
    tasks.deliver_webhook_task(organisation_id=organisation.pk, delivery_id=str(delivery.pk))
    assert len(receiver.requests) == 1


def test_an_endpoint_failing_again_and_again_is_switched_off_and_admins_emailed(
    endpoint, receiver, alice, bob, share, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_DELAYS = []  # one attempt per delivery
    settings.WEBHOOKS_DISABLE_AFTER = 3
    receiver.answers = type(receiver.answers)([503])
    for number in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            share(bob, title=f"Idea {number}")
    with scopes_disabled():
        endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert endpoint.disabled == WebhookEndpoint.Disabled.FAILING
    assert endpoint.admins_told
    assert [m.to for m in mail.outbox] == [["alice@city.nhs.uk"]]
    assert endpoint.url in mail.outbox[0].body
    assert "switched off" in mail.outbox[0].subject
    # Nothing more is sent to it.
    with django_capture_on_commit_callbacks(execute=True):
        share(bob, title="After")
    assert len(receiver.requests) == 3
    assert [d.state for d in deliveries(endpoint)] == ["failed"] * 3


def test_a_success_starts_the_failure_count_afresh(
    endpoint, receiver, bob, share, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_DELAYS = []
    settings.WEBHOOKS_DISABLE_AFTER = 2
    receiver.answers = type(receiver.answers)([500, 200, 500, 200])
    for number in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            share(bob, title=f"Idea {number}")
    with scopes_disabled():
        endpoint = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert endpoint.is_enabled
    assert endpoint.consecutive_failures == 0
    assert not mail.outbox


def test_a_redirect_is_not_followed_and_an_unreachable_endpoint_is_logged(
    endpoint, receiver, bob, share, settings, organisation, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_RETRY_DELAYS = []
    receiver.answers = type(receiver.answers)([302])
    with django_capture_on_commit_callbacks(execute=True):
        share(bob)
    receiver.stop()
    with django_capture_on_commit_callbacks(execute=True):
        share(bob, title="Another")
    first, second = deliveries(endpoint)
    assert (first.state, first.last_status_code) == ("failed", 302)
    assert (second.state, second.last_status_code) == ("failed", None)
    with scopes_disabled():
        assert second.attempt_log.get().error.startswith("URLError")


def test_status_changes_implementation_and_project_stages_are_delivered(
    endpoint, receiver, bob, lena, share, organisation, project, django_capture_on_commit_callbacks
):
    idea = share(bob)  # not delivered: not captured
    lead = membership(lena, organisation)
    with scope(organisation=organisation), django_capture_on_commit_callbacks(execute=True):
        for status in (Status.UNDER_REVIEW, Status.IN_PROGRESS, Status.IMPLEMENTED):
            idea_services.idea_change_status(member=lead, idea=idea, to_status=status)
        project_services.project_update(
            member=lead,
            project=project,
            title=project.title,
            aim=project.aim,
            stage="testing",
            team=project.team,
            wards=[],
            start_date=None,
            target_date=None,
        )
    types = [
        (p["type"], p["data"].get("to_status") or p["data"].get("to_stage"))
        for p in receiver.payloads()
    ]
    assert types == [
        ("idea.status_changed", "under_review"),
        ("idea.status_changed", "in_progress"),
        ("idea.status_changed", "implemented"),
        ("idea.implemented", "implemented"),
        ("project.stage_changed", "testing"),
    ]


def test_only_the_events_chosen_are_delivered(
    alice, receiver, bob, lena, share, organisation, django_capture_on_commit_callbacks
):
    with scope(organisation=organisation):
        services.endpoint_create(
            member=membership(alice, organisation), url=receiver.url, events=["idea.implemented"]
        )
    with django_capture_on_commit_callbacks(execute=True):
        share(bob)
    assert receiver.requests == []
    with scopes_disabled():
        assert not WebhookDelivery.objects.exists()


def test_an_endpoint_deleted_while_a_post_is_on_its_way_is_no_error(
    endpoint, receiver, alice, bob, share, organisation
):
    from webhooks.sending import Outcome

    share(bob)
    (delivery,) = deliveries(endpoint)
    with scope(organisation=organisation):
        services.endpoint_delete(member=membership(alice, organisation), endpoint=endpoint)
        assert services.delivery_record_attempt(delivery=delivery, outcome=Outcome(200)) is None


def test_a_name_that_resolves_to_this_machine_is_refused_at_delivery(
    endpoint, receiver, bob, share, settings, django_capture_on_commit_callbacks
):
    """The form refuses 127.0.0.1 written out; a DNS name is looked up when sending, so a
    webhook cannot reach the servers' own network by a name (here `localhost`)."""
    settings.WEBHOOKS_RETRY_DELAYS = []
    port = receiver.url.split(":")[2].split("/")[0]
    with scopes_disabled():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"http://localhost:{port}/h")
    settings.WEBHOOKS_ALLOW_LOCAL = False
    with django_capture_on_commit_callbacks(execute=True):
        share(bob)
    [delivery] = deliveries(endpoint)
    assert (delivery.state, delivery.last_status_code) == ("failed", None)
    with scopes_disabled():
        assert "private network" in delivery.attempt_log.get().error
    assert receiver.requests == []


def test_the_kept_events_follow_every_change_to_the_endpoints(
    alice, receiver, bob, share, organisation, postgresql
):
    """Which events the endpoints listen to is kept between shares (improvewell.versions):
    an endpoint added, switched off or changed counts from the next idea shared, and what
    is kept names no address and no secret."""
    share(bob)  # nobody listens yet: that is kept
    admin = membership(alice, organisation)
    with scope(organisation=organisation):
        endpoint = services.endpoint_create(member=admin, url=receiver.url, events=["idea.shared"])
    share(bob)
    assert len(deliveries(endpoint)) == 1
    with scope(organisation=organisation):
        services.endpoint_set_enabled(member=admin, endpoint=endpoint, enabled=False)
    share(bob)
    assert len(deliveries(endpoint)) == 1
    with scope(organisation=organisation):
        services.endpoint_set_enabled(member=admin, endpoint=endpoint, enabled=True)
        services.endpoint_update(
            member=admin, endpoint=endpoint, url=receiver.url, events=["idea.implemented"]
        )
    share(bob)
    assert len(deliveries(endpoint)) == 1
    redis = cache._cache.get_client()
    kept = b"".join(redis.get(key) for key in redis.keys("*page:webhook-events:*"))
    assert b"idea.implemented" in kept
    assert endpoint.secret.encode() not in kept and receiver.url.encode() not in kept
