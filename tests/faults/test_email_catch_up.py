"""The email catch-up: what it queues again, and what it never touches.

Tasks run eagerly here (tests/conftest.py), so a queued email is sent at once; the
broker outage itself is in test_broker_outage.py.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.db.models import F
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ideas import services
from ideas.models import Notification
from ideas.tasks import email_catch_up_task
from organisations.models import Invitation
from tests.conftest import membership
from tests.factories import InvitationFactory


def comment(organisation, user, idea, body="Could we try this on AMU?"):
    """A comment through the service; outside a request nothing is queued on commit
    here (the test's transaction never commits), as if the broker had been down."""
    with scope(organisation=organisation):
        services.comment_add(member=membership(user, organisation), idea=idea, body=body)


def age(model, organisation, **delta):
    with scope(organisation=organisation):
        model.objects.update(created_at=F("created_at") - timedelta(**delta))


def test_anonymous_ideas_notifications_are_never_caught_up(organisation, bob, lena, share):
    """They name the idea and the moment: only the daily anonymous email tells those
    submitters, without either."""
    anonymous = share(bob, anonymous=True, title="Bullying on night shifts")
    named = share(bob, title="Second drug trolley for nights")
    comment(organisation, lena, anonymous)
    comment(organisation, lena, named)
    age(Notification, organisation, minutes=3)

    assert email_catch_up_task() == 1
    assert email_catch_up_task() == 0
    assert [m.subject for m in mail.outbox] == [
        "[ImproveWell] New comment on “Second drug trolley for nights”"
    ]
    with scope(organisation=organisation):
        token_addressed = Notification.objects.get(idea=anonymous)
    assert token_addressed.recipient_id is None and not token_addressed.is_emailed

    mail.outbox.clear()
    with scope(organisation=organisation):
        assert services.anonymous_updates_send(organisation=organisation) == 1
    assert mail.outbox[0].subject == "[ImproveWell] Something you shared has an update"
    assert "Bullying" not in mail.outbox[0].body


def test_only_notifications_old_enough_recent_enough_and_wanted_are_caught_up(
    organisation, bob, lena, share
):
    idea = share(bob)
    comment(organisation, lena, idea)
    # Younger than two minutes: its own task may still be in the queue.
    assert email_catch_up_task() == 0
    age(Notification, organisation, days=3)
    # Older than two days: no news by email any more (it stays in the app).
    assert email_catch_up_task() == 0
    age(Notification, organisation, days=-3)
    age(Notification, organisation, minutes=3)
    with scopes_disabled():
        bob.email_notifications = False
        bob.save(update_fields=["email_notifications"])
    assert email_catch_up_task() == 0  # bob wants no email
    with scopes_disabled():
        bob.email_notifications = True
        bob.save(update_fields=["email_notifications"])
    assert email_catch_up_task() == 1
    assert [m.to for m in mail.outbox] == [["bob@city.nhs.uk"]]
    with scope(organisation=organisation):
        assert Notification.objects.get().is_emailed


def test_only_pending_invitations_whose_email_never_went_out_are_caught_up(
    organisation, other_organisation
):
    now = timezone.now()
    with scopes_disabled():
        pending = InvitationFactory(organisation=organisation, email="new.starter@gmail.com")
        InvitationFactory(organisation=organisation, email_sent_at=now)
        InvitationFactory(organisation=organisation, revoked_at=now)
        InvitationFactory(organisation=organisation, accepted_at=now)
        InvitationFactory(organisation=organisation, expires_at=now - timedelta(hours=1))
        other = InvitationFactory(organisation=other_organisation, email="hill.starter@gmail.com")
        Invitation.objects.update(created_at=F("created_at") - timedelta(minutes=3))

    assert email_catch_up_task() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [other.email, pending.email]
    with scopes_disabled():
        pending.refresh_from_db()
    assert pending.email_sent_at is not None
    assert email_catch_up_task() == 0


@pytest.mark.django_db
def test_the_catch_up_runs_every_five_minutes():
    from django_celery_beat.models import PeriodicTask

    schedule = PeriodicTask.objects.get(task="ideas.tasks.email_catch_up_task")
    assert schedule.enabled
    assert (schedule.crontab.minute, schedule.crontab.hour) == ("*/5", "*")
