"""Anonymity over the API: an anonymous idea's submitter is in no response, to anyone,
and its dates are days, as on the web pages (docs/anonymity.md)."""

import json

import pytest

IDEA_FIELDS = {
    "id",
    "kind",
    "title",
    "description",
    "status",
    "category",
    "ward",
    "site",
    "is_anonymous",
    "is_urgent",
    "author",
    "support_count",
    "comment_count",
    "created_on",
    "supported",
}


@pytest.fixture
def anonymous_idea(share, dana, api_for, organisation):
    idea = share(dana, anonymous=True, title="Rota swaps are unfair")
    # The submitter joins the conversation, as the web shows: "Submitter (anonymous)".
    response = api_for(dana).post(
        f"/api/v1/{organisation.slug}/ideas/{idea.pk}/comments/",
        {"body": "To add: it happens every bank holiday."},
    )
    assert response.status_code == 201
    assert response.json()["author"] == "Submitter (anonymous)"
    return idea


def _everything(client, organisation, idea):
    base = f"/api/v1/{organisation.slug}"
    paths = [
        "/api/v1/me/",
        f"{base}/ideas/",
        f"{base}/ideas/?q=rota",
        f"{base}/ideas/?sort=supported",
        f"{base}/ideas/{idea.pk}/",
        f"{base}/ideas/{idea.pk}/comments/",
        f"{base}/categories/",
        f"{base}/sites/",
        f"{base}/wards/",
    ]
    return [client.get(path) for path in paths]


@pytest.mark.parametrize("who", ["bob", "lena", "alice", "dana"])
def test_no_api_response_reveals_the_anonymous_submitter(
    who, request, anonymous_idea, dana, organisation, api_for
):
    client = api_for(request.getfixturevalue(who))
    for response in _everything(client, organisation, anonymous_idea):
        assert response.status_code == 200
        text = response.content.decode()
        if "/me/" in response.request["PATH_INFO"] and who == "dana":
            continue  # her own memberships, not the idea
        for clue in (dana.email, dana.name, "Dana", '"user', '"author_id', "submitter_token"):
            assert clue not in text, (response.request["PATH_INFO"], clue)


def test_an_anonymous_idea_says_anonymous_and_gives_only_its_day(
    anonymous_idea, api_for, bob, organisation
):
    idea = api_for(bob).get(f"/api/v1/{organisation.slug}/ideas/{anonymous_idea.pk}/").json()
    assert set(idea) == IDEA_FIELDS
    assert idea["author"] == "Anonymous" and idea["is_anonymous"] is True
    assert len(idea["created_on"]) == len("2026-01-31")  # a date, no time of day
    comments = api_for(bob).get(f"/api/v1/{organisation.slug}/ideas/{anonymous_idea.pk}/comments/")
    [comment] = comments.json()
    assert comment["author"] == "Submitter (anonymous)"
    assert set(comment) == {"id", "body", "author", "created_on"}
    assert len(comment["created_on"]) == len("2026-01-31")


def test_sharing_anonymously_over_the_api_stores_no_author(
    api_for, dana, organisation, categories, ward
):
    from django_scopes import scopes_disabled

    from ideas.models import Idea

    response = api_for(dana).post(
        f"/api/v1/{organisation.slug}/ideas/",
        {
            "submission_id": "0b6f1f7e-7f3e-4d55-9d43-5b2f6d0a1c11",
            "kind": "concern",
            "title": "Nobody checks the resus trolley at weekends",
            "description": "It was missing suction on Sunday.",
            "category": categories["Patient safety"].pk,
            "ward": ward.pk,
            "anonymous": True,
            "place": "ward",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["author"] == "Anonymous"
    assert dana.name not in json.dumps(body)
    with scopes_disabled():
        idea = Idea.objects.get(pk=body["id"])
    assert idea.author_id is None and idea.is_anonymous
