"""Personal access tokens: stored hashed, one organisation, a scope, an expiry,
revocable, and useless once the member is deactivated."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from api import tokens
from api.models import PersonalAccessToken
from ideas.anonymity import start_of_day


def freeze_time(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _ideas(organisation):
    return f"/api/v1/{organisation.slug}/ideas/"


def test_only_the_hash_of_a_token_is_stored(make_token, bob, organisation):
    raw = make_token(bob, organisation)
    assert raw.startswith("iw_") and len(raw) > 40
    with connection.cursor() as cursor, scopes_disabled():
        cursor.execute("SET LOCAL app.all_organisations = 'on'")
        cursor.execute("SELECT * FROM api_personalaccesstoken")
        rows = cursor.fetchall()
    assert len(rows) == 1
    assert raw not in repr(rows)
    assert tokens.digest_of(raw) in repr(rows)


def test_a_token_reads_its_organisation(api_for, make_token, bob, organisation):
    response = api_for(token=make_token(bob, organisation)).get(_ideas(organisation))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_wrong_token_is_refused_with_401(api_for, organisation, bob):
    response = api_for(token="iw_not-a-real-token").get(_ideas(organisation))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response["Content-Type"] == "application/problem+json"


def test_a_token_is_refused_under_another_organisation(
    api_for, make_token, charlie, other_organisation, organisation, bob
):
    # Charlie belongs to Hill only; Bob's City token does not reach Hill, even if
    # Bob were a member of both, and Charlie's Hill token does not reach City.
    hill_token = make_token(charlie, other_organisation)
    assert api_for(token=hill_token).get(_ideas(other_organisation)).status_code == 200
    assert api_for(token=hill_token).get(_ideas(organisation)).status_code == 404


def test_a_token_of_one_organisation_gets_404_in_another_the_person_belongs_to(
    api_for, make_token, bob, organisation, other_organisation
):
    from organisations.models import Membership

    with scopes_disabled():
        Membership.objects.create(user=bob, organisation=other_organisation)
    token = make_token(bob, organisation)
    assert api_for(token=token).get(_ideas(organisation)).status_code == 200
    assert api_for(token=token).get(_ideas(other_organisation)).status_code == 404
    me = api_for(token=token).get("/api/v1/me/").json()
    assert [m["organisation"] for m in me] == [organisation.slug]


def test_a_read_token_may_not_change_anything(api_for, make_token, bob, organisation, share, dana):
    idea = share(dana)
    client = api_for(token=make_token(bob, organisation, scope="read"))
    assert client.get(_ideas(organisation)).status_code == 200
    response = client.post(f"{_ideas(organisation)}{idea.pk}/support/")
    assert response.status_code == 403
    assert client.delete(f"{_ideas(organisation)}{idea.pk}/support/").status_code == 403
    write = api_for(token=make_token(bob, organisation, scope="write"))
    assert write.post(f"{_ideas(organisation)}{idea.pk}/support/").status_code == 200


def test_a_revoked_token_stops_working(api_for, make_token, bob, organisation):
    raw = make_token(bob, organisation)
    token = tokens.token_for(raw)
    assert tokens.token_revoke(user=bob, token_id=token.pk) is True
    assert api_for(token=raw).get(_ideas(organisation)).status_code == 401


def test_someone_else_cannot_revoke_my_token(make_token, bob, alice, organisation):
    token = tokens.token_for(make_token(bob, organisation))
    assert tokens.token_revoke(user=alice, token_id=token.pk) is False
    assert tokens.token_for(make_token(bob, organisation)) is not None


def test_an_expired_token_stops_working(api_for, make_token, bob, organisation):
    raw = make_token(bob, organisation, days=30)
    with freeze_time(timezone.now() + timedelta(days=31)):
        assert api_for(token=raw).get(_ideas(organisation)).status_code == 401


def test_a_token_and_its_person_are_read_by_one_statement(make_token, bob, organisation):
    raw = make_token(bob, organisation, scope="read", days=30)
    with CaptureQueriesContext(connection) as queries:
        token = tokens.token_for(raw)
        assert (token.user.email, token.user.is_active) == (bob.email, True)
        assert (token.organisation_id, token.scope, token.revoked_at) == (
            organisation.pk,
            "read",
            None,
        )
    assert len(queries) == 1
    assert tokens.token_for(raw[:-1]) is None
    with freeze_time(token.expires_at):
        assert tokens.token_for(raw) is None  # the moment it expires, not a moment later


def test_a_token_lives_a_year_at_most(bob, organisation):
    with pytest.raises(ValidationError):
        tokens.token_create(
            user=bob,
            organisation_id=organisation.pk,
            name="Forever",
            scope="read",
            lifetime=timedelta(days=366),
        )


def test_a_deactivated_members_token_stops_working_at_once(api_for, make_token, bob, organisation):
    raw = make_token(bob, organisation)
    with scopes_disabled():
        membership = bob.memberships.get(organisation=organisation)
        membership.is_active = False
        membership.save()
    assert api_for(token=raw).get(_ideas(organisation)).status_code == 404


def test_last_used_is_a_day_written_at_most_once_a_day(api_for, make_token, bob, organisation):
    """The web tracks no session activity; a token records no more than the day."""
    raw = make_token(bob, organisation)
    client = api_for(token=raw)
    morning = timezone.now().replace(hour=9, minute=17)
    with freeze_time(morning):
        client.get(_ideas(organisation))
    first = tokens.token_for(raw).last_used_at
    assert first == start_of_day(morning) and first < morning
    with freeze_time(morning + timedelta(hours=5)), CaptureQueriesContext(connection) as sql:
        client.get(_ideas(organisation))
    assert not [q for q in sql.captured_queries if q["sql"].startswith("UPDATE")]
    assert tokens.token_for(raw).last_used_at == first
    with freeze_time(morning + timedelta(days=1)):
        client.get(_ideas(organisation))
        assert tokens.token_for(raw).last_used_at == start_of_day(morning + timedelta(days=1))


def test_sharing_anonymously_with_a_token_leaves_no_trace_on_the_token(
    api_for, make_token, bob, organisation, categories, ward
):
    """A write never touches the token: an anonymous idea shares no transaction and no
    moment with a row that names its author, even for someone holding the database."""
    raw = make_token(bob, organisation)
    response = api_for(token=raw).post(
        _ideas(organisation),
        {
            "submission_id": "5d0c8a52-4a3b-4c55-9a1e-2f7d6e9b0c21",
            "kind": "idea",
            "title": "Spare chargers in the staff room",
            "description": "Phones die on long shifts.",
            "category": categories["Patient safety"].pk,
            "ward": ward.pk,
            "anonymous": True,
            "place": "ward",
        },
    )
    assert response.status_code == 201, response.content
    assert tokens.token_for(raw).last_used_at is None


def test_a_lead_needs_two_factor_before_making_a_token(lena, organisation):
    from allauth.mfa.models import Authenticator

    with scopes_disabled():
        Authenticator.objects.filter(user=lena).delete()
    with pytest.raises(ValidationError) as error:
        tokens.token_create(
            user=lena,
            organisation_id=organisation.pk,
            name="Reports",
            scope="read",
            lifetime=timedelta(days=30),
        )
    assert "two-factor" in str(error.value)


def test_nobody_makes_a_token_for_an_organisation_they_do_not_belong_to(bob, other_organisation):
    with pytest.raises(ValidationError):
        tokens.token_create(
            user=bob,
            organisation_id=other_organisation.pk,
            name="Sneaky",
            scope="read",
            lifetime=timedelta(days=30),
        )
    with scopes_disabled():
        assert not PersonalAccessToken.objects.exists()


# The person's own page -----------------------------------------------------------------


def test_a_person_creates_a_token_and_sees_it_once(client_for, bob, organisation, api_for):
    client = client_for(bob)
    assert client.get("/account/").content.count(b"/account/tokens/") == 1
    page = client.get("/account/tokens/new/")
    assert page.status_code == 200
    response = client.post(
        "/account/tokens/new/",
        {
            "name": "Ward dashboard",
            "organisation": organisation.pk,
            "scope": "read",
            "expires_in": 90,
        },
    )
    assert response.status_code == 200
    raw = response.context["raw"]
    assert raw.encode() in response.content
    assert api_for(token=raw).get(_ideas(organisation)).status_code == 200
    listing = client.get("/account/tokens/")
    assert b"Ward dashboard" in listing.content and raw.encode() not in listing.content


def test_the_token_form_shows_field_errors(client_for, bob):
    response = client_for(bob).post(
        "/account/tokens/new/", {"name": "", "organisation": "999", "expires_in": "5000"}
    )
    assert response.status_code == 400
    assert b"nhsuk-error-summary" in response.content
    assert set(response.context["form"].errors) == {"name", "organisation", "scope", "expires_in"}


def test_a_lead_without_two_factor_is_told_on_the_form(client_for, lena, organisation):
    from allauth.mfa.models import Authenticator

    with scopes_disabled():
        Authenticator.objects.filter(user=lena).delete()
    response = client_for(lena).post(
        "/account/tokens/new/",
        {"name": "Reports", "organisation": organisation.pk, "scope": "read", "expires_in": 30},
    )
    assert response.status_code == 400
    assert b"Set up two-factor authentication" in response.content


def test_revoking_asks_first_then_revokes(client_for, make_token, bob, organisation, api_for):
    raw = make_token(bob, organisation)
    token = tokens.token_for(raw)
    client = client_for(bob)
    confirm = client.get(f"/account/tokens/{token.pk}/revoke/")
    assert confirm.status_code == 200 and b"Revoke the token" in confirm.content
    assert api_for(token=raw).get(_ideas(organisation)).status_code == 200
    response = client.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert api_for(token=raw).get(_ideas(organisation)).status_code == 401
    assert client.get(f"/account/tokens/{token.pk}/revoke/").status_code == 404


def test_nobody_else_reaches_my_tokens_revoke_page(
    client_for, make_token, bob, alice, organisation
):
    token = tokens.token_for(make_token(bob, organisation))
    client = client_for(alice)
    assert client.get(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert tokens.token_for(make_token(bob, organisation)) is not None


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/account/tokens/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
