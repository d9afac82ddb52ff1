"""The header of an organisation's pages is kept per role and filled in per member: the
menu their role offers, their own address and unread count, the page they are on."""

import re

from django.core.cache import cache
from django_scopes import scope, scopes_disabled

from ideas import services
from ideas.selectors import notifications_for, unread_notification_count
from tests.conftest import membership

BOARD = "/city-hospitals/ideas/"


def header(response) -> str:
    html = response.content.decode()
    return html[html.index("<header") : html.index("</header>")]


def test_each_member_gets_their_roles_menu_and_their_own_address(client_for, bob, lena, alice):
    for _ in range(2):
        staff, lead, admin = (header(client_for(u).get(BOARD)) for u in (bob, lena, alice))
    assert "bob@city.nhs.uk" in staff and "lena@" not in staff
    assert "lena@city.nhs.uk" in lead and "bob@" not in lead
    assert "Triage" not in staff and "Triage" in lead and "Manage" not in lead
    assert "Manage" in admin and "Engagement" in admin
    redis = cache._cache.get_client()
    kept = b"".join(redis.get(key) for key in redis.keys("*page:*"))
    assert kept and b"@city.nhs.uk" not in kept and b"csrfmiddlewaretoken" in kept


def test_the_page_you_are_on_is_marked_in_the_menu(client_for, bob, share):
    client = client_for(bob)
    board = header(client.get(BOARD))
    assert re.search(r'href="/city-hospitals/ideas/" aria-current="page"', board)
    idea = share(bob, title="Warmer blankets")
    on_idea = header(client.get(f"{BOARD}{idea.pk}/"))
    assert 'aria-current="page"' not in on_idea
    mine = header(client.get("/city-hospitals/my-ideas/"))
    assert re.search(r'href="/city-hospitals/my-ideas/" aria-current="page"', mine)


def test_the_unread_count_is_each_members_own(client_for, bob, lena, organisation, share):
    idea = share(bob, title="Warmer blankets")
    with scope(organisation=organisation):
        services.comment_add(member=membership(lena, organisation), idea=idea, body="Thanks!")
    assert 'iw-badge">1<' in header(client_for(bob).get(BOARD))
    assert "iw-badge" not in header(client_for(lena).get(BOARD))


def test_a_new_name_of_the_organisation_shows_at_once(client_for, bob, organisation):
    client = client_for(bob)
    client.get(BOARD)
    with scopes_disabled():
        organisation.name = "City and District Hospitals"
        organisation.save()
    assert "City and District Hospitals" in header(client.get(BOARD))


def test_the_two_forms_of_whom_a_notification_is_for_agree(bob, lena, organisation, share):
    """`addressed_to` (a filter) and `addressed_to_sql` (in the header's unread count)
    are one rule written twice: named and anonymous submitters alike."""
    named = share(bob, title="Warmer blankets")
    anonymous = share(bob, title="Quieter nights", anonymous=True)
    lenas = share(lena, title="Brighter corridors")
    with scope(organisation=organisation):
        for idea in (named, anonymous, named):
            services.comment_add(member=membership(lena, organisation), idea=idea, body="Yes")
        services.comment_add(member=membership(bob, organisation), idea=lenas, body="Good")
        counts = {}
        for user in (bob, lena):
            member = membership(user, organisation)
            by_filter = notifications_for(member).filter(is_read=False).count()
            assert unread_notification_count(member) == by_filter
            counts[user.name] = by_filter
    assert counts == {bob.name: 3, lena.name: 1}


def test_opening_an_idea_marks_its_notifications_read_and_the_count_says_so(
    client_for, bob, lena, organisation, share
):
    first = share(bob, title="Warmer blankets")
    second = share(bob, title="Quieter nights")
    with scope(organisation=organisation):
        for idea in (first, first, second):
            services.comment_add(member=membership(lena, organisation), idea=idea, body="Yes")
    client = client_for(bob)
    assert 'iw-badge">3<' in header(client.get(BOARD))
    # The page that marks them read already counts without them.
    assert 'iw-badge">1<' in header(client.get(f"{BOARD}{first.pk}/"))
    assert 'iw-badge">1<' in header(client.get(f"{BOARD}{first.pk}/"))
    assert "iw-badge" not in header(client.get(f"{BOARD}{second.pk}/"))
    with scope(organisation=organisation):
        assert unread_notification_count(membership(bob, organisation)) == 0
