"""Sessions are read with a plain statement (accounts/sessions.py): a live session
signs its member in; an expired, deleted or made-up one signs nobody in."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Session

BOARD = "/city-hospitals/ideas/"


def test_a_live_session_signs_in_and_an_expired_or_deleted_one_does_not(client_for, bob):
    client = client_for(bob)
    assert client.get(BOARD).status_code == 200
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    assert client.get(BOARD).status_code == 302  # to sign in
    client = client_for(bob)
    assert client.get(BOARD).status_code == 200
    Session.objects.filter(session_key=client.cookies["sessionid"].value).delete()
    assert client.get(BOARD).status_code == 302


def test_a_made_up_session_key_signs_nobody_in(client, client_for, bob):
    signed_in = client_for(bob)
    for key in ("x" * 32, "'; DELETE FROM django_session; --", ""):
        client.cookies["sessionid"] = key
        assert client.get(BOARD).status_code == 302
    assert signed_in.get(BOARD).status_code == 200


def test_expired_sessions_are_deleted_nightly(client_for, bob):
    from django_celery_beat.models import PeriodicTask

    from accounts.tasks import sessions_clear_expired_task

    live = client_for(bob).cookies["sessionid"].value
    expired = client_for(bob).cookies["sessionid"].value
    Session.objects.filter(session_key=expired).update(expire_date=timezone.now() - timedelta(1))
    assert sessions_clear_expired_task() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live]
    assert sessions_clear_expired_task() == 0
    schedule = PeriodicTask.objects.get(task="accounts.tasks.sessions_clear_expired_task")
    assert schedule.enabled and schedule.crontab.hour == "3"
