"""Attacks on the anonymity promise that walked between features.

Each test plays someone who should not learn who shared an anonymous idea (a lead, a
database dump, a mail log, a Redis reader) and fails if they can.
"""

import re
import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.db import models
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ideas import services
from ideas.models import Comment, Idea, IdeaEvent, Notification, Status
from organisations.models import Membership
from tests.conftest import membership
from tests.factories import MembershipFactory

LONDON = ZoneInfo("Europe/London")
ORG = "/city-hospitals"


def datetimes_of(row) -> list[datetime]:
    return [
        getattr(row, field.attname)
        for field in row._meta.concrete_fields
        if isinstance(field, models.DateTimeField) and getattr(row, field.attname) is not None
    ]


def is_start_of_a_london_day(moment: datetime) -> bool:
    return moment.astimezone(LONDON).time() == time(0, 0)


def anonymous_concern(categories, ward, **overrides) -> dict:
    """The share form, filled in for an anonymous concern about `ward` (or none)."""
    return {
        "submission_id": str(uuid.uuid4()),
        "kind": "concern",
        "title": "Bullying on night shifts",
        "description": "It keeps happening.",
        "ward": ward.pk if ward else "",
        "category": categories["Staff wellbeing"].pk,
        "anonymous": "on",
        **overrides,
    }


@pytest.fixture
def busy_anonymous_idea(organisation, dana, lena, bob, share, django_capture_on_commit_callbacks):
    """Dana shares anonymously; she and bob comment; the lead moves it along twice."""
    idea = share(dana, anonymous=True, title="Bullying on night shifts")
    with scope(organisation=organisation), django_capture_on_commit_callbacks(execute=True):
        services.comment_add(
            member=membership(dana, organisation), idea=idea, body="It happened again."
        )
        services.comment_add(member=membership(bob, organisation), idea=idea, body="Same here.")
        for to_status in (Status.UNDER_REVIEW, Status.IN_PROGRESS):
            services.idea_change_status(
                member=membership(lena, organisation), idea=idea, to_status=to_status
            )
        services.comment_add(
            member=membership(dana, organisation), idea=idea, body="Thank you, it helps."
        )
    return idea


def test_every_time_about_an_anonymous_idea_is_stored_at_day_precision(
    busy_anonymous_idea, organisation
):
    with scopes_disabled():
        rows = [
            Idea.objects.get(pk=busy_anonymous_idea.pk),
            *IdeaEvent.objects.filter(idea=busy_anonymous_idea),
            *Comment.objects.filter(idea=busy_anonymous_idea),
            *Notification.objects.filter(idea=busy_anonymous_idea),
        ]
    stamps = [moment for row in rows for moment in datetimes_of(row)]
    assert len(rows) == 1 + 3 + 3 + 3  # idea, events, comments, notifications
    assert len(stamps) >= len(rows)
    assert all(is_start_of_a_london_day(moment) for moment in stamps), stamps


def test_the_thread_keeps_its_order_although_its_times_are_days(
    busy_anonymous_idea, lena, client_for
):
    page = client_for(lena).get(f"{ORG}/ideas/{busy_anonymous_idea.pk}/").content.decode()
    positions = [page.index(text) for text in ("It happened again.", "Same here.", "Thank you")]
    assert positions == sorted(positions)


def test_a_named_idea_keeps_its_time(organisation, bob, share):
    idea = share(bob, title="Quieter bleeps")
    assert abs(idea.created_at - timezone.now()) < timedelta(seconds=5)


def test_no_page_shows_a_lead_how_long_in_minutes_an_anonymous_idea_waited(
    organisation, dana, lena, share, client_for
):
    # A description without the words searched for, as the inbox shows an excerpt of it.
    share(dana, anonymous=True, title="Bullying on night shifts", description="Shouted at.")
    inbox = client_for(lena).get(f"{ORG}/triage/").content.decode()
    assert "Bullying on night shifts" in inbox
    assert re.search(r"(minute|hour|second)s?\b", inbox) is None
    assert "Waiting since today" in inbox


def test_mark_all_as_read_stamps_nothing_on_named_and_anonymous_rows_alike(
    organisation, dana, lena, share, client_for, django_capture_on_commit_callbacks
):
    named = share(dana, title="Label the linen cupboard")
    anonymous = share(dana, anonymous=True, title="Bullying on night shifts")
    lead = membership(lena, organisation)
    with scope(organisation=organisation), django_capture_on_commit_callbacks(execute=True):
        for idea in (named, anonymous):
            services.idea_change_status(member=lead, idea=idea, to_status=Status.UNDER_REVIEW)
    client_for(dana).post(f"{ORG}/notifications/")
    with scopes_disabled():
        rows = list(Notification.objects.all())
    assert len(rows) == 2 and all(row.is_read for row in rows)
    named_row = next(row for row in rows if row.recipient_id)
    token_row = next(row for row in rows if row.recipient_token)
    # What a database dump or the admin could line up: no time the two rows share, and
    # nothing finer than the day on the token-addressed row.
    assert set(datetimes_of(named_row)).isdisjoint(datetimes_of(token_row))
    assert all(is_start_of_a_london_day(moment) for moment in datetimes_of(token_row))


def test_an_anonymous_submitter_is_emailed_once_a_day_and_told_nothing_but_to_sign_in(
    busy_anonymous_idea, organisation, dana
):
    assert [m for m in mail.outbox if "dana" in m.to[0]] == []
    with scope(organisation=organisation):
        assert services.anonymous_updates_send(organisation=organisation) == 1
        assert services.anonymous_updates_send(organisation=organisation) == 0  # idempotent
    [email] = mail.outbox
    assert email.to == ["dana.whistle@city.nhs.uk"]
    text = email.subject + email.body
    assert "Bullying" not in text
    assert str(busy_anonymous_idea.pk) not in text
    assert "anonymous" not in text.lower()
    assert f"{settings.SITE_URL}{ORG}/notifications/" in email.body


def test_a_leaver_is_not_emailed_about_their_anonymous_idea(
    busy_anonymous_idea, organisation, dana
):
    with scopes_disabled():
        Membership.objects.filter(user=dana).update(is_active=False)
    with scope(organisation=organisation):
        assert services.anonymous_updates_send(organisation=organisation) == 0
    assert mail.outbox == []


def test_the_thank_you_page_does_not_link_to_an_anonymous_idea(
    organisation, dana, ward, categories, client_for
):
    data = anonymous_concern(categories, None)
    response = client_for(dana).post(f"{ORG}/ideas/new/", data)
    assert response.status_code == 200
    assert data["submission_id"] not in response.content.decode()
    assert f"{ORG}/my-ideas/" in response.content.decode()


def test_naming_a_small_ward_on_an_anonymous_idea_is_questioned_first(
    organisation, dana, ward, categories, client_for
):
    data = anonymous_concern(categories, ward)
    client = client_for(dana)
    warned = client.post(f"{ORG}/ideas/new/", data)
    assert warned.status_code == 400
    page = warned.content.decode()
    with scopes_disabled():
        site = ward.site
    assert "colleagues might guess who shared this" in page
    # A radio choice, each option labelled, and the error summary links to the first.
    for n, (value, label) in enumerate(
        [
            ("ward", f"Name {ward.name} anyway"),
            ("site", f"Say only {site.name}"),
            ("nowhere", "Do not say where"),
        ]
    ):
        assert f'id="id_place_{n}" name="place" type="radio" value="{value}"' in page
        assert f'for="id_place_{n}">{label}</label>' in page
    assert 'href="#id_place_0"' in page
    with scopes_disabled():
        assert not Idea.objects.exists()
    assert client.post(f"{ORG}/ideas/new/", {**data, "place": "ward"}).status_code == 200
    with scopes_disabled():
        assert Idea.objects.get().ward == ward


def test_an_anonymous_idea_on_a_small_ward_may_say_only_its_site(
    organisation, dana, ward, categories, client_for
):
    data = anonymous_concern(categories, ward)
    assert client_for(dana).post(f"{ORG}/ideas/new/", {**data, "place": "site"}).status_code == 200
    with scopes_disabled():
        idea = Idea.objects.get()
        assert (idea.ward, idea.site) == (None, ward.site)
        site = ward.site
    shown = client_for(dana).get(f"{ORG}/ideas/{idea.pk}/").content.decode()
    assert site.name in shown
    assert ward.name not in shown


def test_an_anonymous_idea_on_a_small_ward_may_say_nowhere(
    organisation, dana, ward, categories, client_for
):
    response = client_for(dana).post(
        f"{ORG}/ideas/new/", anonymous_concern(categories, ward, place="nowhere")
    )
    assert response.status_code == 200
    with scopes_disabled():
        assert Idea.objects.filter(ward=None, site=None).count() == 1


def test_a_ward_as_large_as_the_threshold_is_not_questioned(
    organisation, dana, ward, categories, client_for
):
    with scopes_disabled():
        for _ in range(organisation.suppression_threshold):
            MembershipFactory(organisation=organisation, home_ward=ward)
    response = client_for(dana).post(f"{ORG}/ideas/new/", anonymous_concern(categories, ward))
    assert response.status_code == 200


def test_sharing_leaves_no_per_person_counter_in_redis(organisation, dana, share):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the cache is Redis only then")
    share(dana, anonymous=True, title="Bullying on night shifts")
    share(dana, title="Label the linen cupboard")
    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = [key.decode() for key in client.scan_iter(count=1000)]
    assert not [key for key in keys if "submitted" in key or f":{dana.pk}:" in key], keys


def test_the_daily_email_is_scheduled(db):
    from django_celery_beat.models import PeriodicTask

    schedule = PeriodicTask.objects.get(task="ideas.tasks.send_anonymous_updates_all_task")
    assert schedule.enabled
    assert (schedule.crontab.hour, schedule.crontab.minute) == ("8", "0")


def test_the_daily_email_reaches_every_organisation(
    busy_anonymous_idea, organisation, other_organisation
):
    from ideas.tasks import send_anonymous_updates_all_task

    assert send_anonymous_updates_all_task() == 2  # one task per organisation
    assert [m.to for m in mail.outbox] == [["dana.whistle@city.nhs.uk"]]
