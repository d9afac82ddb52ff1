"""The board on a phone: its filters folded away, Support on every idea card, and the
unread count on the header's menu button."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from ideas import services
from ideas.models import Idea, Support
from organisations.models import Role
from tests.conftest import _member, membership
from tests.factories import MembershipFactory
from tests.teamwork import page as text

BOARD = "/city-hospitals/ideas/"


def details_tag(html: str) -> str:
    return re.search(r"<details[^>]*>", html).group(0)


def words(html: str) -> str:
    """The text without its tags, as a screen reader reads a button's name."""
    return re.sub(r"<[^>]+>", "", html)


def support_url(idea) -> str:
    return f"{BOARD}{idea.pk}/support/"


def count(idea) -> int:
    with scopes_disabled():
        return Idea.objects.get(pk=idea.pk).support_count


def test_the_filters_are_folded_until_one_is_applied(client_for, bob, ward):
    client = client_for(bob)
    html = text(client.get(BOARD))
    assert "nhsuk-details" in details_tag(html)
    assert " open" not in details_tag(html)
    assert "Filter ideas</span>" in html

    html = text(client.get(BOARD, {"ward": ward.pk, "kind": "idea"}))
    assert " open" in details_tag(html)
    assert "Filter ideas (2 applied)" in html
    assert "Clear filters" in html

    # A sort other than the default is applied too; the default sort alone is not.
    assert " open" in details_tag(text(client.get(BOARD, {"sort": "supported"})))
    assert " open" not in details_tag(text(client.get(BOARD, {"sort": "newest"})))
    # A bad value opens them, so that its error is in sight.
    html = text(client.get(BOARD, {"ward": "not-a-ward"}))
    assert " open" in details_tag(html)
    assert "nhsuk-error-message" in html
    # A page number alone is no filter.
    assert " open" not in details_tag(text(client.get(BOARD, {"page": "2"})))


def test_the_unfiltered_form_still_comes_from_the_cache(client_for, bob, organisation, ward):
    dora = _member(organisation, "dora@city.nhs.uk", "Dora Nurse", Role.STAFF, ward)
    first = client_for(bob).get(BOARD)
    assert "forms/field.html" in [t.name for t in first.templates]
    second = client_for(dora).get(BOARD)
    assert "forms/field.html" not in [t.name for t in second.templates]
    assert 'name="ward"' in text(second)


def test_each_card_offers_support_except_on_your_own_ideas(client_for, bob, lena, share):
    theirs = share(lena, title="Theirs")
    mine = share(bob, title="Mine named")
    mine_anonymous = share(bob, title="Mine anonymous", anonymous=True)
    html = text(client_for(bob).get(BOARD))
    assert f'action="{support_url(theirs)}"' in html
    assert f'action="{support_url(mine)}"' not in html
    assert f'action="{support_url(mine_anonymous)}"' not in html
    assert "Support “Theirs”" in words(html)
    # Others are offered support for bob's anonymous idea like any other.
    assert f'action="{support_url(mine_anonymous)}"' in text(client_for(lena).get(BOARD))


def test_supporting_from_the_board_without_javascript_returns_to_the_board(
    client_for, bob, lena, share
):
    idea = share(lena, title="Quieter night rounds")
    client = client_for(bob)
    back = f"{BOARD}?kind=idea"
    response = client.post(support_url(idea), {"card": "1", "next": f"{back}#idea-{idea.pk}"})
    assert response.status_code == 302
    assert response.url == f"{back}#idea-{idea.pk}"
    assert count(idea) == 1
    html = text(client.get(back))
    assert "You support this" in html
    assert "Withdraw support from “Quieter night rounds”" in words(html)

    client.post(support_url(idea), {"card": "1", "action": "withdraw", "next": back})
    assert count(idea) == 0


def test_supporting_from_the_board_with_htmx_swaps_the_card_block(client_for, bob, lena, share):
    idea = share(lena, title="Quieter night rounds")
    response = client_for(bob).post(
        support_url(idea), {"card": "1", "next": f"{BOARD}?q=night"}, HTTP_HX_REQUEST="true"
    )
    html = text(response).strip()
    assert html.startswith(f'<div id="support-{idea.pk}" class="iw-card-support">')
    assert "<strong>1</strong> support" in html
    assert "Withdraw support" in html
    # Its own form returns to the same board page without JavaScript.
    assert f'name="next" value="{BOARD}?q=night#idea-{idea.pk}"' in html


def test_nobody_supports_their_own_idea_from_the_board(client_for, bob, share):
    idea = share(bob, title="Mine", anonymous=True)
    response = client_for(bob).post(support_url(idea), {"card": "1"}, HTTP_HX_REQUEST="true")
    assert "You cannot support your own idea." in text(response)
    assert "<form" not in text(response)
    assert count(idea) == 0


def test_supports_from_another_organisation_are_refused(client_for, charlie, lena, share):
    idea = share(lena)
    assert client_for(charlie).post(support_url(idea), {"card": "1"}).status_code == 404
    with scopes_disabled():
        assert not Support.objects.exists()


def test_the_board_runs_the_same_queries_with_support_on_every_card(
    client_for, bob, organisation, ward, share, django_assert_max_num_queries
):
    client = client_for(bob)
    share(bob, title="Bob's own")
    with django_assert_max_num_queries(20) as few:
        assert client.get(BOARD).status_code == 200
    with scopes_disabled():
        others = [
            m.user
            for m in MembershipFactory.create_batch(3, organisation=organisation, home_ward=ward)
        ]
    for n in range(24):
        idea = share(others[n % 3], anonymous=n % 2 == 0, title=f"Idea {n}")
        if n % 3 == 0:
            with scope(organisation=organisation):
                services.idea_support(member=membership(bob, organisation), idea=idea)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = text(client.get(BOARD))
    assert html.count('class="iw-card-support"') == 20
    assert html.count("You support this") >= 6


@pytest.mark.parametrize("anonymous", [True, False])
def test_a_card_never_names_an_anonymous_submitter(client_for, bob, lena, share, anonymous):
    share(bob, title="Cold water on Ward 3", anonymous=anonymous)
    html = text(client_for(lena).get(BOARD))
    assert ("Bob Porter" in html) is not anonymous
    assert "bob@city.nhs.uk" not in html


def test_the_unread_count_is_on_the_menu_button_too_and_counted_once(
    client_for, bob, lena, organisation, share
):
    idea = share(bob)
    with scope(organisation=organisation):
        services.comment_add(member=membership(lena, organisation), idea=idea, body="Thanks!")
    with CaptureQueriesContext(connection) as queries:
        html = client_for(bob).get(BOARD).content.decode()
    toggle = re.search(r'<button class="nhsuk-header__menu-toggle.*?</button>', html, re.S).group(0)
    assert "Browse More 1 unread" in " ".join(words(toggle).split())
    counts = [q["sql"] for q in queries.captured_queries if "ideas_notification" in q["sql"]]
    assert len(counts) == 1, counts
