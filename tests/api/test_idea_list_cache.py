"""The API's first page of ideas is built once for every member and kept until the
organisation's content changes; `supported` is still each caller's own."""

from django.core.cache import cache
from django_scopes import scope

from ideas import services
from tests.conftest import membership

LIST = "/api/v1/city-hospitals/ideas/"


def supported(client) -> dict:
    return {idea["title"]: idea["supported"] for idea in client.get(LIST).json()["results"]}


def test_supported_is_each_callers_own(api_for, make_token, bob, lena, dana, organisation, share):
    idea = share(dana, title="Warmer blankets")
    share(dana, title="Quieter bleeps")
    with scope(organisation=organisation):
        services.idea_support(member=membership(bob, organisation), idea=idea)
    lenas = api_for(token=make_token(lena, organisation))
    bobs = api_for(token=make_token(bob, organisation))
    assert supported(lenas) == {"Warmer blankets": False, "Quieter bleeps": False}
    assert supported(bobs) == {"Warmer blankets": True, "Quieter bleeps": False}
    redis = cache._cache.get_client()
    (kept,) = [redis.get(key) for key in redis.keys("*page:api-ideas:*")]
    assert b"bob@" not in kept and b"lena@" not in kept


def test_a_new_idea_is_listed_at_once(api_for, make_token, bob, dana, organisation, share):
    client = api_for(token=make_token(bob, organisation))
    assert client.get(LIST).json()["results"] == []
    share(dana, title="Warmer blankets")
    assert [i["title"] for i in client.get(LIST).json()["results"]] == ["Warmer blankets"]


def test_a_search_is_not_kept(api_for, make_token, bob, dana, organisation, share):
    share(dana, title="Warmer blankets")
    client = api_for(token=make_token(bob, organisation))
    assert len(client.get(LIST + "?q=blankets").json()["results"]) == 1
    assert cache._cache.get_client().keys("*page:api-ideas:*") == []
