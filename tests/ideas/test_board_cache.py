"""The board's list is rendered once for every member and kept until the organisation's
content changes: each member still sees their own marks, nobody sees another
organisation's list, what is kept says nothing about any member, and a change shows at
once."""

import pickle
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from ideas import services
from ideas.anonymity import is_submitter, shared_by
from ideas.models import Idea
from ideas.selectors import viewer_marks
from tests.conftest import membership
from tests.teamwork import page as text

BOARD = "/city-hospitals/ideas/"


def kept_pages() -> list:
    client = cache._cache.get_client()
    return [client.get(key) for key in client.keys("*page:idea-board:*")]


def card(html: str, title: str) -> str:
    start = html.index(title)
    return html[start : html.index("</li>", start)]


@pytest.fixture
def ideas(share, bob, lena, organisation, postgresql):
    named = share(bob, title="Bob's named idea")
    anonymous = share(bob, title="Bob's anonymous idea", anonymous=True)
    lenas = share(lena, title="Lena's idea")
    with scope(organisation=organisation):
        services.idea_support(member=membership(bob, organisation), idea=lenas)
    return named, anonymous, lenas


def test_each_member_sees_their_own_marks_on_the_kept_pages(client_for, bob, lena, ideas):
    # One page kept per role: a QI lead's menu differs from a member's.
    client_for(lena).get(BOARD)
    client_for(bob).get(BOARD)
    with CaptureQueriesContext(connection) as captured:
        lenas_board = text(client_for(lena).get(BOARD))
        bobs_board = text(client_for(bob).get(BOARD))
    # The pages were kept: no query reads a page of ideas in the board's order.
    assert not any(
        "ORDER BY" in q["sql"] and "ideas_idea" in q["sql"] for q in captured.captured_queries
    )
    # Bob shared two (one anonymously): no Support button on either, for him alone.
    for title in ("Bob's named idea", "Bob's anonymous idea"):
        assert "Support<span" not in card(bobs_board, title)
        assert "Support<span" in card(lenas_board, title)
    assert "You support this" in card(bobs_board, "Lena's idea")
    assert "You support this" not in card(lenas_board, "Lena's idea")
    assert "Support<span" not in card(lenas_board, "Lena's idea")


def test_what_is_kept_names_no_viewer_and_no_submitter(client_for, alice, lena, ideas):
    client_for(alice).get(BOARD)
    client_for(lena).get(BOARD)
    kept = kept_pages()
    assert len(kept) == 2  # one page per role
    _, anonymous, _ = ideas
    for page in kept:
        raw = page.decode("latin-1")
        assert anonymous.submitter_token not in raw
        for word in ("alice", "Alice", "@city.nhs.uk"):
            assert word not in raw  # nobody who looked, and no address
        listing = pickle.loads(page)  # noqa: S301 (our own test cache)
        blocks = [block for states in listing["extra"].values() for block in states.values()]
        html = listing["html"] + "".join(blocks)
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]*)"', html)
        assert tokens and set(tokens) == {"\x00csrf\x00"}  # a slot, never a member's token
        assert "Bob Porter" in raw  # the named idea's author, as every member sees it
        assert listing["html"].count("\x00support\x00") == 2 * 3


def test_each_request_gets_its_own_form_token_and_return_address(client_for, bob, ideas):
    client = client_for(bob)
    html = text(client.get(BOARD, {"sort": "supported"}))
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else None
    assert "\x00" not in html
    assert 'name="next" value="/city-hospitals/ideas/?sort=supported#idea-' in html
    assert token is None or 'name="csrfmiddlewaretoken"' in html


def test_a_change_shows_at_once(client_for, bob, lena, share, organisation, ideas):
    client = client_for(bob)
    assert "Brand new idea" not in text(client.get(BOARD))
    share(lena, title="Brand new idea")
    assert "Brand new idea" in text(client.get(BOARD))
    _, _, lenas = ideas
    with scope(organisation=organisation):
        services.idea_unsupport(member=membership(bob, organisation), idea=lenas)
    assert "You support this" not in card(text(client.get(BOARD)), "Lena's idea")


def test_another_organisation_never_gets_our_list(client_for, bob, charlie, ideas):
    assert "Bob's named idea" in text(client_for(bob).get(BOARD))
    theirs = text(client_for(charlie).get("/hill-trust/ideas/"))
    assert "Bob's named idea" not in theirs and "No ideas yet" in theirs


def test_a_search_or_a_deep_page_is_not_kept(client_for, bob, ideas):
    client = client_for(bob)
    client.get(BOARD, {"q": "anonymous"})
    client.get(BOARD, {"page": "9"})
    client.get(BOARD, {"utm_source": "email"})
    assert kept_pages() == []


def test_the_three_forms_of_who_shared_an_idea_agree(ideas, bob, lena, alice, organisation):
    """`shared_by` (a filter), `is_submitter` (Python) and `shared_by_sql` (in the
    board's marks query) are one rule written three ways."""
    shared = {}
    with scope(organisation=organisation):
        for user in (bob, lena, alice):
            member = membership(user, organisation)
            by_filter = Idea.objects.filter(shared_by(member)).values_list("pk", flat=True)
            by_python = {str(i.pk) for i in ideas if is_submitter(member, i)}
            marks = viewer_marks(member, [str(i.pk) for i in ideas])
            by_sql = {pk for pk, (_, own) in marks.items() if own}
            assert {str(pk) for pk in by_filter} == by_python == by_sql
            shared[user.name] = len(by_sql)
    assert shared == {bob.name: 2, lena.name: 1, alice.name: 0}
