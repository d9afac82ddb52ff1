"""A leaver's named ideas and comments stay, shown as from a former member, everywhere."""

import pytest
from django_scopes import scope, scopes_disabled

from ideas import services
from ideas.anonymity import FORMER_MEMBER_LABEL
from organisations import services as organisation_services
from organisations.models import Membership
from tests.conftest import membership
from tests.factories import MembershipFactory

BOARD = "/city-hospitals/ideas/"


@pytest.fixture
def leavers_idea(organisation, alice, bob, lena, share):
    """Bob shares an idea by name and comments on it, then leaves the trust."""
    idea = share(bob, title="Label the night fridge")
    with scope(organisation=organisation):
        services.comment_add(
            member=membership(bob, organisation), idea=idea, body="Porters can help."
        )
        organisation_services.membership_set_active(
            membership=membership(bob, organisation),
            is_active=False,
            by=membership(alice, organisation),
        )
    return idea


def test_pages_show_a_leaver_as_a_former_member(client_for, lena, leavers_idea):
    client = client_for(lena)
    for path in (
        BOARD,
        f"{BOARD}{leavers_idea.pk}/",
        "/city-hospitals/triage/",
        f"/city-hospitals/triage/{leavers_idea.pk}/",
    ):
        page = client.get(path).content.decode()
        assert "Label the night fridge" in page, path
        assert FORMER_MEMBER_LABEL in page, path
        assert "Bob Porter" not in page, path


def test_the_api_shows_a_leaver_as_a_former_member(client_for, lena, leavers_idea):
    client = client_for(lena)
    api = f"/api/v1/city-hospitals/ideas/{leavers_idea.pk}"
    assert client.get(f"{api}/").json()["author"] == FORMER_MEMBER_LABEL
    comments = client.get(f"{api}/comments/").json()
    assert [c["author"] for c in comments] == [FORMER_MEMBER_LABEL]
    listed = client.get("/api/v1/city-hospitals/ideas/").json()["results"]
    assert [i["author"] for i in listed] == [FORMER_MEMBER_LABEL]


def test_a_reactivated_member_is_named_again(
    client_for, alice, bob, lena, organisation, leavers_idea
):
    with scope(organisation=organisation):
        organisation_services.membership_set_active(
            membership=membership(bob, organisation),
            is_active=True,
            by=membership(alice, organisation),
        )
    page = client_for(lena).get(f"{BOARD}{leavers_idea.pk}/").content.decode()
    assert "Bob Porter" in page and FORMER_MEMBER_LABEL not in page


def leavers_with_ideas(organisation, share, count):
    with scopes_disabled():
        leavers = MembershipFactory.create_batch(count, organisation=organisation)
    for leaver in leavers:
        share(leaver.user, title=f"Idea of {leaver.user.email}")
    with scopes_disabled():
        Membership.objects.filter(pk__in=[m.pk for m in leavers]).update(is_active=False)


def test_the_board_and_the_api_ask_no_query_per_leaver(
    client_for, lena, organisation, share, django_assert_max_num_queries
):
    client = client_for(lena)
    leavers_with_ideas(organisation, share, 1)
    with django_assert_max_num_queries(40) as board:
        client.get(BOARD)
    with django_assert_max_num_queries(40) as api:
        client.get("/api/v1/city-hospitals/ideas/")
    leavers_with_ideas(organisation, share, 6)
    with django_assert_max_num_queries(len(board.captured_queries)):
        assert client.get(BOARD).content.decode().count(FORMER_MEMBER_LABEL) == 7
    with django_assert_max_num_queries(len(api.captured_queries)):
        listed = client.get("/api/v1/city-hospitals/ideas/").json()["results"]
    assert [i["author"] for i in listed] == [FORMER_MEMBER_LABEL] * 7


def test_a_leavers_project_update_shows_a_former_member(
    client_for, alice, lena, tess, organisation, project, as_member
):
    from projects import services as project_services

    as_member(tess, project_services.project_post_update, project=project, text="Trial starts.")
    with scope(organisation=organisation):
        organisation_services.membership_set_active(
            membership=membership(tess, organisation), is_active=False, by=alice
        )
    page = client_for(lena).get(f"/city-hospitals/projects/{project.pk}/").content.decode()
    assert "Trial starts." in page
    # The update says so; the audit trail below it still names who did what.
    assert f"<strong>{FORMER_MEMBER_LABEL}</strong>" in page
    assert "<strong>Tess Teamwork</strong>" not in page
