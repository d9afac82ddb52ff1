"""An anonymous idea's webhook: no author, no time of day, and not at the moment it is shared."""

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ideas import anonymity
from ideas import services as idea_services
from ideas.models import Idea, Status
from tests.conftest import membership
from webhooks import tasks
from webhooks.models import WebhookDelivery

from .conftest import deliveries

pytestmark = pytest.mark.django_db

TRACES = ("Dana", "Whistleblower", "dana.whistle", "author")
TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}")


def assert_anonymous(body: bytes):
    text = body.decode()
    for trace in TRACES:
        assert trace not in text
    payload = json.loads(text)
    for subject in payload["data"].values():
        if isinstance(subject, dict):
            subject.pop("url")  # its port would look like a time
    assert not TIME_OF_DAY.search(json.dumps(payload)), text


@pytest.fixture
def dana(organisation, ward):
    from tests.conftest import _member

    return _member(organisation, "dana.whistle@city.nhs.uk", "Dana Whistleblower", "staff", ward)


def _share_yesterday(share, dana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        idea = share(dana, anonymous=True, title="Bullying on night shifts")
    with scopes_disabled():
        yesterday = anonymity.start_of_today() - timedelta(days=1)
        Idea.objects.filter(pk=idea.pk).update(created_at=yesterday)
    return idea


def test_an_anonymous_idea_is_not_delivered_nor_recorded_when_it_is_shared(
    endpoint, receiver, dana, share, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        share(dana, anonymous=True, title="Bullying on night shifts")
    assert receiver.requests == []
    assert deliveries(endpoint) == []  # no row stamped with the moment it was shared
    assert callbacks == []  # and nothing queued


def test_the_daily_batch_announces_yesterdays_anonymous_ideas_without_their_author(
    endpoint, receiver, dana, share, django_capture_on_commit_callbacks
):
    from standardwebhooks.webhooks import Webhook

    with scopes_disabled():
        type(endpoint).objects.filter(pk=endpoint.pk).update(
            created_at=timezone.now() - timedelta(days=3)
        )
    idea = _share_yesterday(share, dana, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.announce_anonymous_ideas_all_task() == 1
    (request,) = receiver.requests
    payload = Webhook(endpoint.secret).verify(request["body"], request["headers"])
    assert payload["type"] == "idea.shared"
    assert payload["data"]["idea"]["id"] == str(idea.pk)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    assert payload["data"]["idea"]["shared_on"] == payload["date"] == yesterday
    assert_anonymous(request["body"])
    # Idempotent: the next run (or a second copy) sends nothing again.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.announce_anonymous_ideas_all_task()
    assert len(receiver.requests) == 1


def test_the_batch_leaves_todays_ideas_and_those_from_before_the_endpoint(
    endpoint, receiver, dana, share, organisation, django_capture_on_commit_callbacks
):
    _share_yesterday(share, dana, django_capture_on_commit_callbacks)  # endpoint added today
    with django_capture_on_commit_callbacks(execute=True):
        share(dana, anonymous=True, title="Shared today")
        tasks.announce_anonymous_ideas_task(organisation_id=organisation.pk)
    assert receiver.requests == []


def test_no_event_about_an_anonymous_idea_names_anybody(
    endpoint, receiver, dana, lena, share, organisation, project, django_capture_on_commit_callbacks
):
    """Every kind of payload an anonymous idea can be in: status changes, implemented,
    and the stage of a project it is linked to."""
    from projects import services as project_services

    idea = share(dana, anonymous=True, title="Bullying on night shifts")
    lead = membership(lena, organisation)
    with scopes_disabled():
        project.ideas.add(idea)
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
    types = [json.loads(request["body"])["type"] for request in receiver.requests]
    assert types == [
        "idea.status_changed",
        "idea.status_changed",
        "idea.status_changed",
        "idea.implemented",
        "project.stage_changed",
    ]
    for request in receiver.requests:
        assert_anonymous(request["body"])


def test_named_and_anonymous_payloads_have_the_same_fields(
    endpoint, receiver, bob, dana, share, django_capture_on_commit_callbacks
):
    with scopes_disabled():
        type(endpoint).objects.filter(pk=endpoint.pk).update(
            created_at=timezone.now() - timedelta(days=3)
        )
    with django_capture_on_commit_callbacks(execute=True):
        share(bob)
    _share_yesterday(share, dana, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.announce_anonymous_ideas_all_task()
    named, anonymous = receiver.payloads()
    assert set(named["data"]["idea"]) == set(anonymous["data"]["idea"])
    assert "Bob" not in json.dumps(named)
    with scopes_disabled():
        assert WebhookDelivery.objects.count() == 2
