"""The inbox is kept for every lead with the same role until the organisation's ideas change; a team
member has a list of their own; each request gets its own form token and address."""

from django.core.cache import cache
from django_scopes import scopes_disabled

from ideas.models import Idea
from organisations.models import Role
from tests.conftest import _member
from tests.teamwork import ORG, page

INBOX = f"{ORG}/triage/"


def assign(idea, team):
    with scopes_disabled():
        Idea.objects.filter(pk=idea.pk).update(team=team)


def kept() -> int:
    return len(cache._cache.get_client().keys("*page:triage-inbox:*"))


def test_leads_share_one_list_and_a_team_member_keeps_their_own(
    client_for, lena, alice, tess, bob, share, team, other_team, organisation, postgresql
):
    quinn = _member(organisation, "quinn@city.nhs.uk", "Quinn Lead", Role.QI_LEAD, mfa=True)
    assign(share(bob, title="Discharge lounge opens at eight"), team)
    assign(share(bob, title="Hip protectors for night falls"), other_team)
    assert "Hip protectors" in page(client_for(lena).get(INBOX))
    assert "Hip protectors" in page(client_for(quinn).get(INBOX))
    assert kept() == 1  # one page for both QI leads
    assert "Hip protectors" in page(client_for(alice).get(INBOX))
    assert kept() == 2  # an admin's menu differs
    tess_sees = page(client_for(tess).get(INBOX))
    assert "Discharge lounge" in tess_sees and "Hip protectors" not in tess_sees
    assert kept() == 3


def test_a_change_shows_at_once(client_for, lena, bob, share, team, postgresql):
    client = client_for(lena)
    idea = share(bob, title="Discharge lounge opens at eight")
    assert "Team: Patient Flow Team" not in page(client.get(INBOX))
    assign(idea, team)
    assert "Team: Patient Flow Team" in page(client.get(INBOX))


def test_each_request_fills_in_its_own_token_and_address(client_for, lena, bob, share):
    share(bob, title="Discharge lounge opens at eight")
    client = client_for(lena)
    client.get(INBOX, {"status": "submitted"})
    html = client.get(INBOX, {"status": "submitted"}).content.decode()
    assert "\x00" not in html
    assert f'name="next" value="{INBOX}?status=submitted"' in html
    tokens = set(html.split('name="csrfmiddlewaretoken" value="')[1:])
    assert tokens and all(t.split('"')[0] for t in tokens)
