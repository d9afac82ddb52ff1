"""Two requests at once with one Idempotency-Key, on two real database connections:
exactly one does the work, and both answer with its response."""

import threading
import uuid

import pytest
from django.db import connections
from django_scopes import scopes_disabled

from api import views
from api.idempotency import HEADER, REPLAYED
from ideas.models import Comment, Idea

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(monkeypatch, service: str, post) -> tuple[list, dict]:
    """Run `post` in two threads; the first holds its transaction (and its key) open
    inside `service` while the second arrives, which must wait, not do the work again."""
    inside, calls = threading.Event(), []
    real = getattr(views.services, service)

    def slow(**kwargs):
        calls.append(service)
        inside.set()
        threading.Event().wait(0.5)
        return real(**kwargs)

    monkeypatch.setattr(views.services, service, slow)
    responses = {}

    def run(name):
        try:
            responses[name] = post()
        finally:
            connections.close_all()  # this thread's own connection

    first = threading.Thread(target=run, args=("first",))
    second = threading.Thread(target=run, args=("second",))
    first.start()
    assert inside.wait(10), "the first request never reached the service"
    second.start()
    first.join(20)
    second.join(20)
    return calls, responses


def _same_answer(responses, status):
    first, second = responses["first"], responses["second"]
    assert first.status_code == second.status_code == status
    assert second.json() == first.json()
    assert second[REPLAYED] == "true" and REPLAYED not in first


def test_two_requests_at_once_with_one_key_share_one_idea(
    postgresql, api_for, bob, organisation, categories, ward, monkeypatch
):
    body = {
        "submission_id": str(uuid.uuid4()),
        "kind": "idea",
        "title": "Label the spare oxygen cylinders",
        "description": "Night staff cannot find them quickly.",
        "category": categories["Efficiency and waste"].pk,
        "ward": ward.pk,
    }
    key = {HEADER: str(uuid.uuid4())}
    calls, responses = _at_once(
        monkeypatch,
        "idea_submit",
        lambda: api_for(bob).post(f"/api/v1/{organisation.slug}/ideas/", body, **key),
    )
    assert calls == ["idea_submit"]  # the work was done once
    _same_answer(responses, 201)
    with scopes_disabled():
        assert Idea.objects.filter(organisation=organisation).count() == 1


def test_two_comments_at_once_with_one_key_make_one_comment(
    postgresql, api_for, bob, organisation, share, dana, monkeypatch
):
    """Comments have no id of their own to deduplicate on: only the key stops a second."""
    idea, key = share(dana), {HEADER: str(uuid.uuid4())}
    url = f"/api/v1/{organisation.slug}/ideas/{idea.pk}/comments/"
    calls, responses = _at_once(
        monkeypatch, "comment_add", lambda: api_for(bob).post(url, {"body": "Hello"}, **key)
    )
    assert calls == ["comment_add"]
    _same_answer(responses, 201)
    with scopes_disabled():
        assert Comment.objects.filter(idea=idea).count() == 1
