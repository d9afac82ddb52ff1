"""Triage, My ideas, notifications, the pulse check-in and teams over the API: the rows
they write, the JSON they return and what they refuse, as the web pages do."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from audit.models import AuditEvent
from dashboards.rollup import rollup_range
from ideas import services
from ideas.models import IdeaEvent, Notification, PulseCheckIn, Status
from organisations.models import Membership, Profession
from tests.conftest import membership
from tests.factories import MembershipFactory, TeamFactory

API = "/api/v1/city-hospitals"


def _idea(organisation, pk):
    from ideas.models import Idea

    with scopes_disabled():
        return Idea.objects.get(organisation=organisation, pk=pk)


@pytest.fixture
def team(organisation, ward):
    with scopes_disabled():
        team = TeamFactory(organisation=organisation, name="Theatres flow", purpose="Theatres")
        team.wards.add(ward)
    return team


# Triage -------------------------------------------------------------------------------


def test_a_lead_moves_an_idea_on_and_its_submitter_is_told(
    api_for, lena, dana, share, organisation
):
    idea = share(dana)
    response = api_for(lena).post(
        f"{API}/ideas/{idea.pk}/status/", {"status": "under_review", "message": "Looking at it"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "under_review" and body["id"] == str(idea.pk)
    assert body["author"] == "Dana Nurse" and body["team"] is None
    with scopes_disabled():
        event = IdeaEvent.objects.get(idea=idea, to_status=Status.UNDER_REVIEW)
        assert event.actor == lena and event.message == "Looking at it"
        assert Notification.objects.filter(idea=idea, recipient=dana).count() == 1
        assert AuditEvent.objects.filter(action="changed status").count() == 1
    assert _idea(organisation, idea.pk).status == Status.UNDER_REVIEW


@pytest.mark.parametrize(
    "sent, field",
    [
        ({"status": "implemented"}, "status"),  # not a move the workflow allows from submitted
        ({"status": "duplicate"}, "status"),  # duplicates are made by merging
        ({"status": "closed"}, "status"),
        ({}, "status"),
        ({"status": ["under_review"]}, "status"),
        ({"status": None}, "status"),
        ({"status": "under_review", "message": {"text": "x"}}, "message"),
        ({"status": "not_taken_forward"}, "message"),  # a reason is required
        ({"status": "under_review", "message": "x" * 2001}, "message"),
    ],
)
def test_a_refused_move_is_a_field_error_and_changes_nothing(
    sent, field, api_for, lena, dana, share, organisation
):
    idea = share(dana)
    response = api_for(lena).post(f"{API}/ideas/{idea.pk}/status/", sent)
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]
    assert _idea(organisation, idea.pk).status == Status.SUBMITTED
    with scopes_disabled():
        assert not IdeaEvent.objects.filter(idea=idea).exclude(to_status=Status.SUBMITTED).exists()


def test_not_taken_forward_with_a_reason_is_accepted(api_for, lena, dana, share, organisation):
    idea = share(dana)
    response = api_for(lena).post(
        f"{API}/ideas/{idea.pk}/status/",
        {"status": "not_taken_forward", "message": "The pharmacy already does this."},
    )
    assert response.status_code == 200
    assert _idea(organisation, idea.pk).status == Status.NOT_TAKEN_FORWARD


def test_a_team_member_triages_their_teams_ideas_and_no_other(
    api_for, bob, dana, lena, share, team, organisation
):
    ours, theirs = share(dana, title="Ours"), share(dana, title="Theirs")
    with scopes_disabled():
        team.members.add(membership(bob, organisation))
    api_for(lena).post(f"{API}/ideas/{ours.pk}/team/", {"team": team.pk})
    client = api_for(bob)
    assert (
        client.post(f"{API}/ideas/{ours.pk}/status/", {"status": "in_progress"}).status_code == 200
    )
    refused = client.post(f"{API}/ideas/{theirs.pk}/status/", {"status": "in_progress"})
    assert refused.status_code == 403
    assert client.post(f"{API}/ideas/{theirs.pk}/team/", {"team": team.pk}).status_code == 403
    assert _idea(organisation, theirs.pk).status == Status.SUBMITTED
    assert _idea(organisation, theirs.pk).team_id is None


def test_staff_on_no_team_may_not_triage(api_for, bob, dana, share, organisation):
    idea = share(dana)
    response = api_for(bob).post(f"{API}/ideas/{idea.pk}/status/", {"status": "under_review"})
    assert response.status_code == 403
    assert "role" in response.json()["detail"]
    assert _idea(organisation, idea.pk).status == Status.SUBMITTED


def test_a_lead_assigns_a_team_and_takes_it_away(api_for, lena, dana, share, team, organisation):
    idea = share(dana)
    client = api_for(lena)
    response = client.post(f"{API}/ideas/{idea.pk}/team/", {"team": team.pk})
    assert response.status_code == 200
    assert response.json()["team"] == {"id": team.pk, "name": "Theatres flow"}
    assert _idea(organisation, idea.pk).team_id == team.pk
    response = client.post(f"{API}/ideas/{idea.pk}/team/", {"team": None})
    assert response.status_code == 200 and response.json()["team"] is None
    assert _idea(organisation, idea.pk).team_id is None


@pytest.mark.parametrize(
    "sent", [{}, {"team": True}, {"team": "1"}, {"team": 987654321}, {"team": 10**30}]
)
def test_a_team_that_is_not_one_is_a_field_error(sent, api_for, lena, dana, share):
    idea = share(dana)
    response = api_for(lena).post(f"{API}/ideas/{idea.pk}/team/", sent)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["team"]


def test_another_organisations_team_is_refused(
    api_for, lena, dana, share, other_organisation, organisation
):
    idea = share(dana)
    with scopes_disabled():
        foreign = TeamFactory(organisation=other_organisation, name="Hill team")
    response = api_for(lena).post(f"{API}/ideas/{idea.pk}/team/", {"team": foreign.pk})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["team"]
    assert _idea(organisation, idea.pk).team_id is None


def test_triage_of_an_unknown_idea_is_not_found(api_for, lena):
    response = api_for(lena).post(
        f"{API}/ideas/0b6f1f7e-7f3e-4d55-9d43-5b2f6d0a1c11/status/", {"status": "under_review"}
    )
    assert response.status_code == 404


# My ideas -----------------------------------------------------------------------------


def test_my_ideas_lists_my_named_and_anonymous_ideas_newest_first(
    api_for, dana, bob, lena, share, organisation
):
    named = share(dana, title="Named one")
    anonymous = share(dana, anonymous=True, title="Anonymous one")
    share(bob, title="Bob's")
    api_for(lena).post(f"{API}/ideas/{named.pk}/status/", {"status": "under_review"})
    body = api_for(dana).get(f"{API}/my-ideas/").json()
    rows = {row["title"]: row for row in body["results"]}
    assert set(rows) == {"Named one", "Anonymous one"}
    assert rows["Named one"]["unread"] == 1 and rows["Named one"]["status"] == "under_review"
    assert rows["Anonymous one"]["is_anonymous"] is True
    assert rows["Anonymous one"]["id"] == str(anonymous.pk)
    assert rows["Named one"]["place"]["kind"] == "ward"
    assert len(rows["Named one"]["created_on"]) == len("2026-01-31")
    assert body["next"] is None


def test_my_ideas_come_in_cursor_pages(api_for, dana, share):
    for n in range(3):
        share(dana, title=f"Idea {n}")
    client = api_for(dana)
    page = client.get(f"{API}/my-ideas/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    rest = client.get(page["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
    titles = [r["title"] for r in page["results"] + rest["results"]]
    assert sorted(titles) == ["Idea 0", "Idea 1", "Idea 2"]


# Notifications ------------------------------------------------------------------------


@pytest.fixture
def dana_told(api_for, lena, dana, share):
    """Two notifications for Dana: one about her named idea, one about her anonymous one."""
    client = api_for(lena)
    for idea in (share(dana, title="Named"), share(dana, anonymous=True, title="Anon")):
        assert (
            client.post(f"{API}/ideas/{idea.pk}/status/", {"status": "under_review"}).status_code
            == 200
        )


def test_notifications_list_mine_with_read_or_unread(dana_told, api_for, dana, bob):
    body = api_for(dana).get(f"{API}/notifications/").json()
    assert len(body["results"]) == 2
    for row in body["results"]:
        assert set(row) == {"id", "type", "text", "idea", "is_read", "created_on"}
        assert row["is_read"] is False and len(row["created_on"]) == len("2026-01-31")
    assert api_for(bob).get(f"{API}/notifications/").json()["results"] == []


def test_marking_one_read_touches_only_it(dana_told, api_for, dana, bob, organisation):
    client = api_for(dana)
    first, second = client.get(f"{API}/notifications/").json()["results"]
    response = client.post(f"{API}/notifications/{first['id']}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    with scopes_disabled():
        assert Notification.objects.get(pk=first["id"]).is_read
        assert not Notification.objects.get(pk=second["id"]).is_read
    # Somebody else's notification is not found, and stays unread.
    assert api_for(bob).post(f"{API}/notifications/{second['id']}/read/").status_code == 404
    with scopes_disabled():
        assert not Notification.objects.get(pk=second["id"]).is_read


def test_marking_all_read(dana_told, api_for, dana):
    client = api_for(dana)
    response = client.post(f"{API}/notifications/read-all/")
    assert response.status_code == 200 and response.json() == {"marked_read": 2}
    assert all(r["is_read"] for r in client.get(f"{API}/notifications/").json()["results"])
    assert client.post(f"{API}/notifications/read-all/").json() == {"marked_read": 0}


# Pulse --------------------------------------------------------------------------------


def test_a_check_in_is_recorded_once_a_day_without_the_person(api_for, bob, ward, organisation):
    client = api_for(bob)
    response = client.post(f"{API}/pulse/", {"score": 4, "tags": ["staffing"]})
    assert response.status_code == 201, response.content
    assert response.json() == {
        "day": timezone.localdate().isoformat(),
        "score": 4,
        "tags": ["staffing"],
    }
    assert client.post(f"{API}/pulse/", {"score": 2}).status_code == 201
    with scopes_disabled():
        [check_in] = PulseCheckIn.objects.filter(organisation=organisation)
    assert (check_in.score, check_in.tags, check_in.ward_id) == (2, [], ward.pk)


@pytest.mark.parametrize(
    "sent, field",
    [
        ({}, "score"),
        ({"score": 6}, "score"),
        ({"score": True}, "score"),
        ({"score": 3, "tags": ["nonsense"]}, "tags"),
        ({"score": 3, "tags": "staffing"}, "tags"),
    ],
)
def test_a_bad_check_in_is_a_field_error(sent, field, api_for, bob, organisation):
    response = api_for(bob).post(f"{API}/pulse/", sent)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    with scopes_disabled():
        assert not PulseCheckIn.objects.filter(organisation=organisation).exists()


def _last_month() -> date:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def check_ins(organisation, ward, count, *, score=3):
    """`count` people of `ward` checked in last month, rolled up."""
    with scopes_disabled():
        people = MembershipFactory.create_batch(count, organisation=organisation, home_ward=ward)
    with scope(organisation=organisation):
        for person in people:
            services.pulse_check_in(member=person, score=score, tags=[], day=_last_month())
        rollup_range(organisation, _last_month(), timezone.localdate())


def test_the_pulse_summary_is_the_wards_last_month_once_enough_checked_in(
    api_for, bob, ward, organisation
):
    check_ins(organisation, ward, 11, score=4)
    body = api_for(bob).get(f"{API}/pulse/summary/").json()
    assert body == {
        "ward": {"id": ward.pk, "name": ward.name},
        "month": _last_month().isoformat(),
        "count": 11,
        "mean": 4.0,
        "suppressed": False,
        "threshold": 11,
    }


# Teams --------------------------------------------------------------------------------


def test_teams_list_with_counts(api_for, bob, dana, share, team, organisation):
    idea = share(dana)
    with scopes_disabled():
        team.members.add(membership(dana, organisation))
        type(idea).objects.filter(pk=idea.pk).update(team=team)
    body = api_for(bob).get(f"{API}/teams/").json()
    assert body == [
        {
            "id": team.pk,
            "name": "Theatres flow",
            "purpose": "Theatres",
            "member_count": 1,
            "open_ideas": 1,
        }
    ]


def test_a_team_shows_its_members_by_staff_group(
    api_for, bob, dana, lena, team, ward, organisation
):
    with scopes_disabled():
        for user in (dana, lena):
            team.members.add(membership(user, organisation))
        Membership.objects.filter(user=lena).update(profession=Profession.MEDICAL)
    body = api_for(bob).get(f"{API}/teams/{team.pk}/").json()
    assert body["name"] == "Theatres flow"
    groups = {g["staff_group"]: g["members"] for g in body["staff_groups"]}
    assert groups["Medical and dental"] == [
        {"name": "Lena Lead", "home_ward": {"id": ward.pk, "name": ward.name}}
    ]
    assert [m["name"] for ms in groups.values() for m in ms] == ["Lena Lead", "Dana Nurse"]
    assert body["wards"] == [
        {"id": ward.pk, "name": ward.name, "site": {"id": ward.site_id, "name": ward.site.name}}
    ]
    assert body["projects"] == []


def test_an_unknown_team_is_not_found(api_for, bob, other_organisation):
    with scopes_disabled():
        foreign = TeamFactory(organisation=other_organisation)
    assert api_for(bob).get(f"{API}/teams/{foreign.pk}/").status_code == 404
    assert api_for(bob).get(f"{API}/teams/987654321/").status_code == 404
