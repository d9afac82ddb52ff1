"""Each list endpoint runs the same number of queries for 1 row as for 30."""

import pytest
from django_scopes import scope

from ideas import services
from tests.conftest import membership
from tests.factories import MembershipFactory, SiteFactory, WardFactory


def _grow(organisation, ward, share, dana, count):
    from django_scopes import scopes_disabled

    with scopes_disabled():
        people = [
            m.user
            for m in MembershipFactory.create_batch(4, organisation=organisation, home_ward=ward)
        ]
        for _ in range(count):
            site = SiteFactory(organisation=organisation)
            WardFactory(organisation=organisation, site=site)
    ideas = []
    for n in range(count):
        idea = share(people[n % 4], anonymous=n % 2 == 0, title=f"Idea {n}")
        ideas.append(idea)
    with scope(organisation=organisation):
        for idea in ideas[:10]:
            services.idea_support(member=membership(dana, organisation), idea=idea)
            services.comment_add(member=membership(dana, organisation), idea=ideas[0], body="Yes")
    return ideas


@pytest.mark.parametrize("token", [False, True], ids=["session", "token"])
def test_list_endpoints_run_a_fixed_number_of_queries(
    token, api_for, make_token, bob, dana, organisation, ward, share, django_assert_max_num_queries
):
    first = share(dana, title="The first idea")
    client = api_for(token=make_token(bob, organisation)) if token else api_for(bob)
    base = f"/api/v1/{organisation.slug}"
    paths = [
        "/api/v1/me/",
        f"{base}/ideas/",
        f"{base}/ideas/?sort=supported&q=idea",
        f"{base}/ideas/{first.pk}/comments/",
        f"{base}/categories/",
        f"{base}/sites/",
        f"{base}/wards/",
    ]
    counts = {}
    for path in paths:
        with django_assert_max_num_queries(15) as few:
            assert client.get(path).status_code == 200
        counts[path] = len(few.captured_queries)
    ideas = _grow(organisation, ward, share, dana, 30)
    with scope(organisation=organisation):
        for n in range(12):
            services.comment_add(member=membership(bob, organisation), idea=first, body=f"c{n}")
    assert ideas
    for path in paths:
        with django_assert_max_num_queries(counts[path]):
            response = client.get(path)
            assert response.status_code == 200


def test_member_list_endpoints_run_a_fixed_number_of_queries(
    api_for, lena, dana, organisation, ward, share, django_assert_max_num_queries
):
    """My ideas, notifications and teams: as many queries for 1 row as for 30."""
    from django_scopes import scopes_disabled

    from tests.factories import TeamFactory

    with scopes_disabled():
        team = TeamFactory(organisation=organisation, name="Team 0")
        team.members.add(membership(dana, organisation))
        team.wards.add(ward)
    lead = api_for(lena)

    def told(count):
        for n in range(count):
            idea = share(dana, anonymous=n % 2 == 0, title=f"Mine {n}")
            lead.post(
                f"/api/v1/{organisation.slug}/ideas/{idea.pk}/status/", {"status": "in_progress"}
            )

    told(1)
    client = api_for(dana)
    base = f"/api/v1/{organisation.slug}"
    paths = [
        f"{base}/my-ideas/",
        f"{base}/notifications/",
        f"{base}/teams/",
        f"{base}/teams/{team.pk}/",
        f"{base}/pulse/summary/",
    ]
    counts = {}
    for path in paths:
        with django_assert_max_num_queries(15) as few:
            assert client.get(path).status_code == 200
        counts[path] = len(few.captured_queries)
    told(20)  # the daily sharing limit is 30
    with scopes_disabled():
        members = MembershipFactory.create_batch(12, organisation=organisation, home_ward=ward)
        team.members.add(*members)
        for n in range(1, 12):
            TeamFactory(organisation=organisation, name=f"Team {n}").members.add(*members[:n])
    for path in paths:
        with django_assert_max_num_queries(counts[path]):
            response = client.get(path)
            assert response.status_code == 200
    assert len(client.get(f"{base}/my-ideas/?page_size=100").json()["results"]) == 21
    assert len(client.get(f"{base}/teams/").json()) == 12
