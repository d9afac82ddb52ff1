"""ETags on reads: If-None-Match with the current ETag is a 304 with no body."""

import pytest


@pytest.fixture
def token_client(api_for, bob, make_token, organisation):
    return api_for(token=make_token(bob, organisation))


def test_a_read_has_an_etag_and_a_match_is_a_304(token_client, organisation):
    url = f"/api/v1/{organisation.slug}/categories/"
    first = token_client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and len(etag) == 34
    assert token_client.get(url)["ETag"] == etag  # the same body, the same tag
    again = token_client.get(url, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    weak = token_client.get(url, **{"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    assert token_client.get(url, **{"If-None-Match": "*"}).status_code == 304


def test_a_changed_body_has_a_new_etag(token_client, organisation, share, dana):
    url = f"/api/v1/{organisation.slug}/ideas/{share(dana).pk}/comments/"
    before = token_client.get(url)["ETag"]
    assert token_client.post(url, {"body": "Tried it on Ward 3."}).status_code == 201
    after = token_client.get(url, **{"If-None-Match": before})
    assert after.status_code == 200
    assert after["ETag"] != before and len(after.json()) == 1


def test_me_and_sessions_have_etags_too(api_for, bob, organisation):
    client = api_for(bob)
    for url in ("/api/v1/me/", f"/api/v1/{organisation.slug}/ideas/"):
        etag = client.get(url)["ETag"]
        assert client.get(url, **{"If-None-Match": etag}).status_code == 304


def test_an_etag_is_the_callers_own(api_for, bob, dana, organisation, share):
    idea = share(dana)
    url = f"/api/v1/{organisation.slug}/ideas/{idea.pk}/"
    api_for(bob).post(f"{url}support/")
    bobs = api_for(bob).get(url)["ETag"]
    # Dana's view of the idea differs (`supported`): Bob's tag is not a match for her.
    assert api_for(dana).get(url, **{"If-None-Match": bobs}).status_code == 200


def test_changes_and_errors_have_no_etag(token_client, organisation, share, dana):
    idea = share(dana)
    assert "ETag" not in token_client.post(f"/api/v1/{organisation.slug}/ideas/{idea.pk}/support/")
    assert "ETag" not in token_client.get(f"/api/v1/{organisation.slug}/ideas/?ward=x")
