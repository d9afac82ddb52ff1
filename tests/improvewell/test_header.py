"""The header of an organisation's pages is kept per role and filled in per member: the
menu their role offers, their own address and unread count, the page they are on."""

import re
import struct

import redis
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from ideas import services
from ideas.selectors import notifications_for, unread_notification_count
from improvewell import versions
from teams import services as teams_services
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


def test_sharing_an_idea_keeps_the_header_and_a_new_team_member_gets_triage_at_once(
    client_for, bob, lena, organisation, share, monkeypatch
):
    from improvewell import header as header_module

    renders = []
    original = header_module._render
    monkeypatch.setattr(header_module, "_render", lambda *a: renders.append(1) or original(*a))
    profile = f"/{organisation.slug}/profile/"
    client = client_for(bob)
    client.get(profile)
    rendered = len(renders)
    share(bob, title="Quieter bins on the night round")
    connection.versions_seen.clear()  # as a new request's transaction
    assert "Triage" not in header(client.get(profile))
    assert len(renders) == rendered  # the idea moved the content version, not the set-up's
    with scope(organisation=organisation):
        teams_services.team_save(
            member=membership(lena, organisation),
            name="Night shift QI",
            purpose="",
            wards=[],
            members=[membership(bob, organisation)],
        )
    connection.versions_seen.clear()
    assert "Triage" in header(client.get(profile))


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


def notification_queries(client, path=BOARD) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        html = header(client.get(path))
    return html, len([q for q in queries if "ideas_notification" in q["sql"]])


def test_the_unread_count_is_kept_until_a_notification_is_written(
    client_for, bob, lena, organisation, share
):
    client = client_for(bob)
    idea = share(bob, title="Warmer blankets")
    client.get(BOARD)
    html, counted = notification_queries(client)
    assert "iw-badge" not in html and counted == 0
    with scope(organisation=organisation):
        services.comment_add(member=membership(lena, organisation), idea=idea, body="Thanks!")
    html, counted = notification_queries(client)
    assert 'iw-badge">1<' in html and counted == 1
    html, counted = notification_queries(client)
    assert 'iw-badge">1<' in html and counted == 0
    # Opening the idea marks it read: the board says so at once.
    client.get(f"{BOARD}{idea.pk}/")
    assert "iw-badge" not in header(client.get(BOARD))


def test_a_kept_unread_count_tells_someone_holding_the_cache_nothing(
    client_for, bob, lena, organisation, share
):
    """The count sums named and anonymous notifications: in the cache it is sealed, of
    one length whatever it is, and good only under its own key."""
    ideas = [share(bob, title=f"Idea {n}", anonymous=True) for n in range(3)]
    with scope(organisation=organisation):
        for idea in ideas:
            services.comment_add(member=membership(lena, organisation), idea=idea, body="Yes")
    bobs, lenas = client_for(bob), client_for(lena)
    for client in (bobs, lenas, bobs, lenas):
        client.get(BOARD)
    redis = cache._cache.get_client()
    keys = {user: redis.keys(f"*unread:{organisation.pk}:{user.pk}") for user in (bob, lena)}
    assert all(len(found) == 1 for found in keys.values())
    bob_key, lena_key = keys[bob][0], keys[lena][0]
    kept = [redis.get(bob_key), redis.get(lena_key)]
    assert len(kept[0]) == len(kept[1])
    assert not any(struct.pack("!Q", n) in value for value in kept for n in (0, 3))
    # Bob's sealed count copied under Lena's key is refused: she still sees her own.
    redis.set(lena_key, kept[0])
    assert "iw-badge" not in header(lenas.get(BOARD))
    assert 'iw-badge">3<' in header(bobs.get(BOARD))


def test_a_kept_page_asks_the_cache_twice_unread_count_and_all(
    client_for, bob, lena, organisation, share, monkeypatch
):
    """The membership, the versions and the member's unread count come in one round
    trip; the page itself in the second, or not at all once this process has a copy."""
    idea = share(bob, title="Warmer blankets")
    with scope(organisation=organisation):
        services.comment_add(member=membership(lena, organisation), idea=idea, body="Thanks!")
    client = client_for(bob)
    for _ in range(3):
        client.get(BOARD)
    commands = []
    original = redis.Redis.execute_command

    def counted(self, *args, **options):
        commands.append(args[0])
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    # The test's one transaction never commits: forget what it read, as a new request's does.
    connection.versions_seen.clear()
    versions.in_process.clear()  # another process, which has no copy of the page yet
    html, counted_in_database = notification_queries(client)
    assert 'iw-badge">1<' in html and counted_in_database == 0
    assert commands == ["MGET", "GET"]
    commands.clear()
    connection.versions_seen.clear()
    html, counted_in_database = notification_queries(client)
    assert 'iw-badge">1<' in html and counted_in_database == 0
    assert commands == ["MGET"]
