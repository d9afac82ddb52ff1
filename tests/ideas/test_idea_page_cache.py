"""An idea's page is kept for every member with the same role until the organisation's
content changes; "(you)", the anonymous submitter's note, the triage link and the Support block are
still each viewer's own, and what is kept names nobody who looked."""

from django.core.cache import cache
from django_scopes import scope

from ideas import services
from tests.conftest import membership
from tests.teamwork import page as text


def url(idea) -> str:
    return f"/city-hospitals/ideas/{idea.pk}/"


def kept() -> list[bytes]:
    redis = cache._cache.get_client()
    return [redis.get(key) for key in redis.keys("*page:idea-page:*")]


def test_each_viewer_sees_their_own_parts_of_one_kept_page(client_for, bob, lena, share):
    idea = share(bob, title="Warmer blankets", anonymous=True)
    lenas = text(client_for(lena).get(url(idea)))
    bobs = text(client_for(bob).get(url(idea)))
    assert len(kept()) == 2  # one page per role
    assert "Submitter (anonymous)" in bobs and "Submitter (anonymous)" not in lenas
    assert "Triage this idea" in lenas and "Triage this idea" not in bobs
    assert "Support this idea" in lenas and "Support this idea" not in bobs  # not his own
    assert "\x00" not in lenas + bobs


def test_a_named_submitter_is_told_it_is_theirs(client_for, bob, lena, share):
    idea = share(bob, title="Warmer blankets")
    assert "Bob Porter (you)" in text(client_for(bob).get(url(idea)))
    assert "(you)" not in text(client_for(lena).get(url(idea)))


def test_what_is_kept_names_nobody_who_looked(client_for, alice, lena, bob, share):
    idea = share(bob, title="Warmer blankets", anonymous=True)
    client_for(alice).get(url(idea))
    client_for(lena).get(url(idea))
    for raw in kept():
        for word in (b"Alice", b"Lena", b"@city.nhs.uk", idea.submitter_token.encode()):
            assert word not in raw


def test_a_comment_and_a_support_show_at_once(client_for, bob, lena, organisation, share):
    idea = share(bob, title="Warmer blankets")
    client = client_for(lena)
    assert "No comments yet." in text(client.get(url(idea)))
    with scope(organisation=organisation):
        services.comment_add(member=membership(bob, organisation), idea=idea, body="Thanks all")
        services.idea_support(member=membership(lena, organisation), idea=idea)
    page = text(client.get(url(idea)))
    assert "Thanks all" in page and "Withdraw my support" in page


def test_a_comment_with_errors_keeps_the_page_for_its_request(client_for, lena, bob, share):
    idea = share(bob, title="Warmer blankets")
    response = client_for(lena).post(f"{url(idea)}comments/", {"body": ""})
    assert response.status_code == 400
    page = text(response)
    assert "Warmer blankets" in page and "Triage this idea" in page and "\x00" not in page


def test_no_such_idea_is_a_404(client_for, lena):
    missing = "/city-hospitals/ideas/00000000-0000-0000-0000-000000000000/"
    assert client_for(lena).get(missing).status_code == 404


def test_nothing_is_kept_for_an_idea_that_is_not_there(client_for, lena):
    for n in range(3):
        client_for(lena).get(f"/city-hospitals/ideas/00000000-0000-0000-0000-00000000000{n}/")
    assert kept() == []
