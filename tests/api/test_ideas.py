"""Ideas over the API do what the board and the idea page do, through the same code."""

import uuid

import pytest
from django_scopes import scopes_disabled

from ideas.models import Idea, Support
from tests.factories import SiteFactory, WardFactory


def _new_idea(categories, ward, **fields):
    return {
        "submission_id": str(uuid.uuid4()),
        "kind": "idea",
        "title": "Label the spare oxygen cylinders",
        "description": "Night staff cannot find them quickly.",
        "category": categories["Efficiency and waste"].pk,
        "ward": ward.pk,
        **fields,
    }


def test_the_list_filters_and_searches_as_the_board_does(api_for, bob, organisation, share, dana):
    with scopes_disabled():
        oak = WardFactory(
            organisation=organisation,
            site=SiteFactory(organisation=organisation, name="Riverside"),
            name="Oak Ward",
        )
    share(dana, title="Night trolley")
    share(dana, title="Quieter handovers", kind="concern", ward=oak)
    client = api_for(bob)
    base = f"/api/v1/{organisation.slug}/ideas/"

    def titles(query=""):
        response = client.get(base + query)
        assert response.status_code == 200
        return [idea["title"] for idea in response.json()["results"]]

    assert titles() == ["Quieter handovers", "Night trolley"]
    assert titles("?q=trolley") == ["Night trolley"]
    assert titles(f"?ward={oak.pk}") == ["Quieter handovers"]
    assert titles(f"?site={oak.site_id}") == ["Quieter handovers"]
    assert titles("?kind=concern") == ["Quieter handovers"]
    assert titles("?status=implemented") == []


def test_the_list_pages_with_a_cursor(api_for, bob, organisation, share, dana):
    for n in range(5):
        share(dana, title=f"Idea {n}")
    client = api_for(bob)
    first = client.get(f"/api/v1/{organisation.slug}/ideas/?page_size=2").json()
    seen = [i["title"] for i in first["results"]]
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [i["title"] for i in page["results"]]
    assert sorted(seen) == [f"Idea {n}" for n in range(5)]
    assert len(set(seen)) == 5


def test_sharing_twice_with_one_submission_id_makes_one_idea(
    api_for, bob, organisation, categories, ward
):
    client = api_for(bob)
    body = _new_idea(categories, ward)
    first = client.post(f"/api/v1/{organisation.slug}/ideas/", body)
    again = client.post(f"/api/v1/{organisation.slug}/ideas/", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] == body["submission_id"]
    assert first.json()["author"] == "Bob Porter"
    with scopes_disabled():
        assert Idea.objects.filter(organisation=organisation).count() == 1


def test_an_anonymous_idea_on_a_small_ward_asks_where_to_say(
    api_for, bob, organisation, categories, ward
):
    response = api_for(bob).post(
        f"/api/v1/{organisation.slug}/ideas/", _new_idea(categories, ward, anonymous=True)
    )
    assert response.status_code == 400
    assert "place" in response.json()["errors"]


def test_support_and_withdraw(api_for, bob, organisation, share, dana):
    idea = share(dana)
    client = api_for(bob)
    url = f"/api/v1/{organisation.slug}/ideas/{idea.pk}/support/"
    assert client.post(url).json() == {"supported": True, "support_count": 1}
    assert client.post(url).json() == {"supported": True, "support_count": 1}
    detail = client.get(f"/api/v1/{organisation.slug}/ideas/{idea.pk}/").json()
    assert detail["supported"] is True
    assert client.delete(url).json() == {"supported": False, "support_count": 0}
    with scopes_disabled():
        assert not Support.objects.exists()


def test_nobody_supports_their_own_idea(api_for, dana, organisation, share):
    idea = share(dana)
    response = api_for(dana).post(f"/api/v1/{organisation.slug}/ideas/{idea.pk}/support/")
    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": ["You cannot support your own idea."]}


def test_comments_are_listed_in_order_and_added(api_for, bob, lena, organisation, share, dana):
    idea = share(dana)
    url = f"/api/v1/{organisation.slug}/ideas/{idea.pk}/comments/"
    assert api_for(lena).post(url, {"body": "Which cylinders?"}).status_code == 201
    assert api_for(bob).post(url, {"body": "The CD size ones."}).status_code == 201
    comments = api_for(bob).get(url).json()
    assert [(c["author"], c["body"]) for c in comments] == [
        ("Lena Lead", "Which cylinders?"),
        ("Bob Porter", "The CD size ones."),
    ]


@pytest.mark.parametrize(
    "path", ["categories", "sites", "wards"], ids=["categories", "sites", "wards"]
)
def test_reference_lists_hold_only_this_organisation(
    path, api_for, bob, organisation, other_organisation, ward, other_ward
):
    rows = api_for(bob).get(f"/api/v1/{organisation.slug}/{path}/").json()
    assert rows
    names = {row["name"] for row in rows}
    if path == "wards":
        assert ward.name in names and other_ward.name not in names
    if path == "sites":
        assert ward.site.name in names and other_ward.site.name not in names
