"""Redis, the Celery broker, stops while members share ideas, comment and invite.

The writes are saved and acknowledged within about two seconds (a publish gives up
within 1.5 s); the emails they should have queued are logged as unqueued and go out,
once each, when the catch-up task runs after Redis is back. A real Redis process
(tests/faults/conftest.py) is stopped and started; nothing is mocked.
"""

import logging
import time
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db.models import F
from django_scopes import scope

from ideas.models import Comment, Idea, Notification
from ideas.tasks import email_catch_up_task
from organisations.models import Invitation

from .conftest import wait_until, worker

# Publishing gives up within one and a half seconds (improvewell/settings.py); the rest
# is the request itself, on a shared machine.
BOUND = 2.5


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def age(model, organisation, minutes=3, **filters):
    """Make rows old enough for the catch-up, which leaves younger ones to the queue."""
    with scope(organisation=organisation):
        model.objects.filter(**filters).update(
            created_at=F("created_at") - timedelta(minutes=minutes)
        )


def catch_up_and_deliver(private_redis, sent):
    """Run the catch-up (eagerly: it publishes through the broker), then a worker."""
    queued = email_catch_up_task.apply().get()
    again = email_catch_up_task.apply().get()  # within the quiet hour: nothing twice
    assert private_redis.queued() == queued
    with worker():
        delivered = wait_until(sent)
    return queued, again, delivered


def unqueued_log_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "improvewell.mail"]


@pytest.mark.django_db(transaction=True)
def test_ideas_and_comments_are_saved_while_redis_is_down_and_emailed_once_after(
    postgresql, private_redis, client_for, bob, lena, organisation, ward, categories, share, caplog
):
    named = share(bob, title="Second drug trolley for nights")
    bob_client, lena_client = client_for(bob), client_for(lena)
    private_redis.stop()
    caplog.set_level(logging.WARNING, logger="improvewell.mail")

    shared, took_to_share = timed(
        lambda: bob_client.post(
            "/city-hospitals/ideas/new/",
            {
                "submission_id": str(uuid.uuid4()),
                "kind": "idea",
                "title": "Hoist batteries charged overnight",
                "description": "The hoist is flat every morning.",
                "ward": ward.pk,
                "category": categories["Efficiency and waste"].pk,
            },
        )
    )
    commented, took_to_comment = timed(
        lambda: lena_client.post(
            f"/city-hospitals/ideas/{named.pk}/comments/", {"body": "Let's try it on AMU."}
        )
    )

    # The share answers with its "thank you" page (not a redirect, for anonymity's sake).
    assert shared.status_code == 200 and "Thank you for sharing" in shared.content.decode()
    assert commented.status_code == 302
    assert took_to_share < BOUND and took_to_comment < BOUND, (took_to_share, took_to_comment)
    with scope(organisation=organisation):
        assert Idea.objects.filter(title="Hoist batteries charged overnight").exists()
        assert Comment.objects.filter(idea=named).count() == 1
        notification = Notification.objects.get(idea=named)
    assert not notification.is_emailed and mail.outbox == []
    [line] = unqueued_log_lines(caplog)
    assert f"notification_id={notification.pk}" in line
    assert f"organisation_id={organisation.pk}" in line
    for personal in ("bob", "lena", "Bob", "Lena", "trolley", "AMU"):
        assert personal not in line

    private_redis.start()
    age(Notification, organisation, pk=notification.pk)

    def sent():
        with scope(organisation=organisation):
            return Notification.objects.get(pk=notification.pk).is_emailed

    queued, again, delivered = catch_up_and_deliver(private_redis, sent)
    assert (queued, again, delivered) == (1, 0, True)
    assert [m.to for m in mail.outbox] == [["bob@city.nhs.uk"]]
    assert email_catch_up_task.apply().get() == 0  # sent: never again


@pytest.mark.django_db(transaction=True)
def test_an_invitation_is_saved_while_redis_is_down_and_emailed_once_after(
    postgresql, private_redis, client_for, alice, organisation, caplog
):
    alice_client = client_for(alice)
    private_redis.stop()
    caplog.set_level(logging.WARNING, logger="improvewell.mail")

    invited, took = timed(
        lambda: alice_client.post(
            "/city-hospitals/manage/invitations/",
            {"email": "new.starter@gmail.com", "role": "staff"},
        )
    )

    assert invited.status_code == 302 and took < BOUND, took
    with scope(organisation=organisation):
        invitation = Invitation.objects.get()
    assert invitation.email_sent_at is None and mail.outbox == []
    [line] = unqueued_log_lines(caplog)
    assert f"invitation_id={invitation.pk}" in line and "new.starter" not in line

    private_redis.start()
    age(Invitation, organisation)

    def sent():
        with scope(organisation=organisation):
            return Invitation.objects.get().email_sent_at is not None

    queued, again, delivered = catch_up_and_deliver(private_redis, sent)
    assert (queued, again, delivered) == (1, 0, True)
    assert [m.to for m in mail.outbox] == [["new.starter@gmail.com"]]
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body
    assert email_catch_up_task.apply().get() == 0


@pytest.mark.django_db(transaction=True)
def test_a_hung_redis_holds_a_comment_for_at_most_the_bound(
    postgresql, private_redis, client_for, bob, lena, organisation, share
):
    """A Redis that accepts connections and never answers (SIGSTOP) is the worst case: a
    publish without a socket timeout waited for it for ever."""
    named = share(bob)
    lena_client = client_for(lena)
    url = f"/city-hospitals/ideas/{named.pk}/comments/"
    assert lena_client.post(url, {"body": "First, while Redis answers."}).status_code == 302
    private_redis.freeze()  # the web process keeps its pooled connection to it

    commented, took = timed(lambda: lena_client.post(url, {"body": "Second, while it hangs."}))

    assert commented.status_code == 302 and took < BOUND, took
    with scope(organisation=organisation):
        assert Comment.objects.filter(idea=named).count() == 2
