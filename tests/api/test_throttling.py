"""Rate limits: a token and a signed-in person each have their own bucket, reads and
writes apart; over the limit is a 429 problem with Retry-After in seconds."""

import pytest
import redis
from django.conf import settings as django_settings
from django_scopes import scopes_disabled

from api import throttling
from api.models import PersonalAccessToken

PROBLEM = "application/problem+json"


@pytest.fixture
def tiny_rates(settings, monkeypatch):
    """Three reads and two writes a minute, 15 seconds into a minute that does not end."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"read": "3/min", "write": "2/min"},
    }
    monkeypatch.setattr(throttling, "clock", lambda: 60 * 29_000_000 + 15.25)


def _categories(organisation):
    return f"/api/v1/{organisation.slug}/categories/"


def test_too_many_reads_get_a_429_problem_with_retry_after(
    tiny_rates, api_for, bob, make_token, organisation
):
    client = api_for(token=make_token(bob, organisation))
    assert [client.get(_categories(organisation)).status_code for _ in range(3)] == [200] * 3
    response = client.get(_categories(organisation))
    assert response.status_code == 429
    assert response["Content-Type"] == PROBLEM
    assert response["Retry-After"] == "45"  # the rest of the minute
    body = response.json()
    assert (body["status"], body["title"]) == (429, "Too many requests")
    # The limit is the caller's, not the endpoint's.
    assert client.get("/api/v1/me/").status_code == 429


def test_other_callers_have_their_own_buckets(
    tiny_rates, api_for, bob, dana, make_token, organisation
):
    token = api_for(token=make_token(bob, organisation))
    for _ in range(4):
        token.get(_categories(organisation))
    assert token.get(_categories(organisation)).status_code == 429
    others = [
        api_for(token=make_token(bob, organisation)),  # the same person's other token
        api_for(bob),  # the same person's session
        api_for(token=make_token(dana, organisation)),
        api_for(dana),
    ]
    for other in others:
        assert [other.get(_categories(organisation)).status_code for _ in range(3)] == [200] * 3


def test_writes_have_their_own_limit(tiny_rates, api_for, bob, organisation, share, dana):
    url = f"/api/v1/{organisation.slug}/ideas/{share(dana).pk}/support/"
    client = api_for(bob)
    assert [client.post(url).status_code, client.delete(url).status_code] == [200, 200]
    response = client.post(url)
    assert response.status_code == 429 and response["Retry-After"] == "45"
    assert response["Content-Type"] == PROBLEM
    assert client.get(_categories(organisation)).status_code == 200  # reads still go


def test_the_next_window_starts_afresh(tiny_rates, api_for, bob, organisation, monkeypatch):
    client = api_for(bob)
    for _ in range(3):
        client.get(_categories(organisation))
    assert client.get(_categories(organisation)).status_code == 429
    monkeypatch.setattr(throttling, "clock", lambda: 60 * 29_000_001 + 1.0)
    assert client.get(_categories(organisation)).status_code == 200


def test_the_default_rates_come_from_settings():
    from improvewell import settings as defaults  # not the tests' generous override

    rates = defaults.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert throttling.parse_rate(rates["read"]) == (120, 60)
    assert throttling.parse_rate(rates["write"]) == (30, 60)
    assert throttling.parse_rate("5/hour") == (5, 3600)


def test_the_counters_name_nobody(tiny_rates, api_for, bob, make_token, organisation):
    """A Redis reader sees a keyed hash per caller, never a user or token id."""
    if not django_settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the cache is Redis only then")
    api_for(token=make_token(bob, organisation)).post(_categories(organisation))
    api_for(bob).get(_categories(organisation))
    with scopes_disabled():
        token = PersonalAccessToken.objects.get(user=bob)
    keys = [k.decode() for k in redis.Redis.from_url(django_settings.REDIS_URL).scan_iter()]
    throttle_keys = [k for k in keys if "api-throttle" in k]
    assert len(throttle_keys) == 2, keys
    for key in throttle_keys:
        assert f":{bob.pk}:" not in key and str(token.pk) not in key and "user" not in key


def test_a_counter_expires_with_its_window(tiny_rates, api_for, bob, organisation):
    if not django_settings.REDIS_URL:
        pytest.skip("needs REDIS_URL: the cache is Redis only then")
    client = api_for(bob)
    for _ in range(2):
        client.get(_categories(organisation))
    redis_client = redis.Redis.from_url(django_settings.REDIS_URL)
    (key,) = [k for k in redis_client.scan_iter() if b"api-throttle" in k]
    assert int(redis_client.get(key)) == 2
    assert 0 < redis_client.ttl(key) <= 61


def test_a_cache_that_is_down_lets_requests_through(
    tiny_rates, api_for, bob, organisation, monkeypatch
):
    def down(*args, **kwargs):
        raise redis.ConnectionError("down")

    monkeypatch.setattr(throttling.cache, "add", down)
    monkeypatch.setattr(throttling.cache, "count", down, raising=False)
    client = api_for(bob)
    assert [client.get(_categories(organisation)).status_code for _ in range(5)] == [200] * 5
