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


# My ideas, triage, notifications, teams and the pulse (api/member_views.py,
# api/triage_views.py).

API = "/api/v1/city-hospitals"
CLUES = ("Dana", "dana@", '"user', '"author_id', "submitter_token", "recipient")


def _clean(response, *clues):
    text = response.content.decode()
    return not [clue for clue in (clues or CLUES) if clue in text]


@pytest.mark.parametrize("who", ["bob", "lena", "alice"])
def test_my_ideas_shows_an_anonymous_idea_to_its_author_alone(
    who, request, anonymous_idea, api_for, dana
):
    mine = api_for(dana).get(f"{API}/my-ideas/").json()["results"]
    assert [(row["id"], row["is_anonymous"]) for row in mine] == [(str(anonymous_idea.pk), True)]
    theirs = api_for(request.getfixturevalue(who)).get(f"{API}/my-ideas/")
    assert theirs.status_code == 200 and theirs.json()["results"] == []


def test_my_ideas_says_nothing_more_than_the_page(anonymous_idea, api_for, dana):
    response = api_for(dana).get(f"{API}/my-ideas/")
    [row] = response.json()["results"]
    assert set(row) == {
        "id", "title", "kind", "status", "place", "is_anonymous", "created_on", "unread"
    }  # fmt: skip
    assert len(row["created_on"]) == len("2026-01-31")
    assert _clean(response, "submitter_token", '"author', "T00:", "+00:00", "+01:00")


def test_triage_answers_never_carry_the_anonymous_author(
    anonymous_idea, api_for, lena, dana, organisation
):
    from django_scopes import scopes_disabled

    from tests.factories import TeamFactory

    with scopes_disabled():
        team = TeamFactory(organisation=organisation, name="Rota team")
    client = api_for(lena)
    for path, body in (
        (f"{API}/ideas/{anonymous_idea.pk}/status/", {"status": "under_review"}),
        (f"{API}/ideas/{anonymous_idea.pk}/team/", {"team": team.pk}),
        (f"{API}/ideas/{anonymous_idea.pk}/status/", {"status": "implemented"}),  # refused
    ):
        response = client.post(path, body)
        assert response.status_code in (200, 400)
        assert _clean(response), path
        if response.status_code == 200:
            assert response.json()["author"] == "Anonymous"
            assert len(response.json()["created_on"]) == len("2026-01-31")


def test_notifications_of_an_anonymous_idea_reach_only_its_author_and_name_nobody(
    anonymous_idea, api_for, lena, bob, dana
):
    api_for(lena).post(f"{API}/ideas/{anonymous_idea.pk}/status/", {"status": "under_review"})
    response = api_for(dana).get(f"{API}/notifications/")
    rows = response.json()["results"]
    assert {row["idea"] for row in rows} == {str(anonymous_idea.pk)} and len(rows) == 1
    assert _clean(response)
    assert set(rows[0]) == {"id", "type", "text", "idea", "is_read", "created_on"}
    for other in (lena, bob):
        assert api_for(other).get(f"{API}/notifications/").json()["results"] == []
        refused = api_for(other).post(f"{API}/notifications/{rows[0]['id']}/read/")
        assert refused.status_code == 404
    read = api_for(dana).post(f"{API}/notifications/{rows[0]['id']}/read/")
    assert read.status_code == 200 and _clean(read)


def test_teams_never_carry_the_anonymous_author(anonymous_idea, api_for, lena, bob, organisation):
    from django_scopes import scopes_disabled

    from tests.factories import TeamFactory

    with scopes_disabled():
        team = TeamFactory(organisation=organisation, name="Rota team")
    api_for(lena).post(f"{API}/ideas/{anonymous_idea.pk}/team/", {"team": team.pk})
    client = api_for(bob)
    for path in (f"{API}/teams/", f"{API}/teams/{team.pk}/"):
        response = client.get(path)
        assert response.status_code == 200
        assert _clean(response), path


def test_the_pulse_summary_is_suppressed_below_the_threshold(api_for, bob, ward, organisation):
    from tests.api.test_member_endpoints import _last_month, check_ins

    check_ins(organisation, ward, 10, score=1)  # one fewer than the threshold of 11
    response = api_for(bob).get(f"{API}/pulse/summary/")
    assert response.json() == {
        "ward": {"id": ward.pk, "name": ward.name},
        "month": _last_month().isoformat(),
        "count": None,
        "mean": None,
        "suppressed": True,
        "threshold": 11,
    }
    # A check-in today is not shown until its month is over: it would give itself away.
    assert api_for(bob).post(f"{API}/pulse/", {"score": 5}).status_code == 201
    assert api_for(bob).get(f"{API}/pulse/summary/").json()["count"] is None


def test_a_pulse_check_in_answers_with_nothing_about_the_person(api_for, bob):
    response = api_for(bob).post(f"{API}/pulse/", {"score": 3, "tags": ["workload"]})
    assert response.status_code == 201
    assert set(response.json()) == {"day", "score", "tags"}
    assert _clean(response, "Bob", "bob@", "token", "ward")
