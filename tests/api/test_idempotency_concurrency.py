"""Two requests at once with one Idempotency-Key, on two real database connections:
exactly one does the work, and both answer with its response."""

import threading
import uuid

import pytest
from django.db import connections
from django_scopes import scopes_disabled

from api import views
from api.idempotency import HEADER, REPLAYED
from ideas.models import Idea

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_requests_at_once_with_one_key_share_one_idea(
    postgresql, api_for, bob, organisation, categories, ward, monkeypatch
):
    inside, calls = threading.Event(), []
    real_submit = views.services.idea_submit

    def slow_submit(**kwargs):
        # The first request holds its transaction (and its key) open while the second
        # arrives; the second must wait for it, not do the work again.
        calls.append(kwargs["title"])
        inside.set()
        threading.Event().wait(0.5)
        return real_submit(**kwargs)

    monkeypatch.setattr(views.services, "idea_submit", slow_submit)
    body = {
        "submission_id": str(uuid.uuid4()),
        "kind": "idea",
        "title": "Label the spare oxygen cylinders",
        "description": "Night staff cannot find them quickly.",
        "category": categories["Efficiency and waste"].pk,
        "ward": ward.pk,
    }
    key, responses = str(uuid.uuid4()), {}

    def post(name):
        try:
            responses[name] = api_for(bob).post(
                f"/api/v1/{organisation.slug}/ideas/", body, **{HEADER: key}
            )
        finally:
            connections.close_all()  # this thread's own connection

    first = threading.Thread(target=post, args=("first",))
    second = threading.Thread(target=post, args=("second",))
    first.start()
    assert inside.wait(10), "the first request never reached the service"
    second.start()
    first.join(20)
    second.join(20)

    assert calls == [body["title"]]  # the work was done once
    assert responses["first"].status_code == responses["second"].status_code == 201
    assert responses["second"].json() == responses["first"].json()
    assert responses["second"][REPLAYED] == "true" and REPLAYED not in responses["first"]
    with scopes_disabled():
        assert Idea.objects.filter(organisation=organisation).count() == 1
