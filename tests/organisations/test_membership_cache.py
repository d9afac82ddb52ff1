"""Every page looks up the member's membership, so it is kept in the cache; a change to
it (deactivation, a new role) still takes effect on the very next request."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ideas import services as ideas_services
from organisations import services
from organisations.models import Role
from tests.conftest import _member, membership
from tests.factories import TeamFactory

HOME = "/city-hospitals/"
INBOX = "/city-hospitals/triage/"


def membership_lookups(client, path) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    lookups = [q for q in queries if q["sql"].startswith('SELECT "organisations_membership".')]
    return status, len(lookups)


@pytest.fixture
def warm(client_for, postgresql):
    """A client whose membership is in the cache (the first request learns where the
    organisation is; the second keeps the membership)."""

    def make(user, path=HOME):
        client = client_for(user)
        for _ in range(2):
            client.get(path)
        return client

    return make


def test_a_kept_membership_spares_the_lookup(warm, bob):
    assert membership_lookups(warm(bob), HOME) == (200, 0)


def test_sharing_or_supporting_an_idea_keeps_it_but_joining_a_team_does_not(
    warm, bob, lena, share, organisation
):
    client = warm(bob)
    idea = share(lena, title="Warmer blankets")
    with scope(organisation=organisation):
        ideas_services.idea_support(member=membership(bob, organisation), idea=idea)
    assert membership_lookups(client, HOME) == (200, 0)
    with scopes_disabled():
        team = TeamFactory(organisation=organisation, name="Patient Flow Team")
        team.members.add(membership(bob, organisation))
    assert membership_lookups(client, HOME) == (200, 1)
    # On a team now: the menu offers triage.
    assert "Triage" in client.get(HOME).content.decode()


def test_a_deactivated_member_is_refused_on_the_next_request(warm, alice, bob, organisation):
    client = warm(bob)
    with scope(organisation=organisation):
        services.membership_set_active(
            membership=membership(bob, organisation), is_active=False, by=alice
        )
    bob.refresh_from_db()
    client.force_login(bob)  # a session made after the deactivation: only the membership says no
    assert client.get(HOME).status_code == 404


def test_a_new_role_takes_effect_on_the_next_request(warm, alice, lena, organisation):
    client = warm(lena, INBOX)
    assert client.get(INBOX).status_code == 200
    with scope(organisation=organisation):
        member = membership(lena, organisation)
        services.membership_update(
            membership=member,
            role=Role.STAFF,
            profession=member.profession,
            home_ward=member.home_ward,
            by=membership(alice, organisation),
        )
    assert client.get(INBOX).status_code == 403


def test_another_organisation_is_not_reached_through_a_kept_membership(warm, bob):
    client = warm(bob)
    assert client.get("/hill-trust/").status_code == 404


def test_nothing_kept_holds_a_password_hash(warm, bob):
    warm(bob)
    redis = cache._cache.get_client()
    kept = [redis.get(key) for key in redis.keys("*membership:*")]
    assert kept and not any(bob.password.encode() in value for value in kept)


def test_whether_a_lead_has_two_factor_is_kept_with_the_membership(warm, lena):
    client = warm(lena, INBOX)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(INBOX).status_code == 200
    assert not [q for q in queries if "mfa_authenticator" in q["sql"]]


def test_removing_two_factor_is_enforced_on_the_next_request(warm, lena):
    client = warm(lena, INBOX)
    assert client.get(INBOX).status_code == 200
    for authenticator in Authenticator.objects.filter(user=lena):
        authenticator.delete()  # as allauth's deactivation does
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_setting_up_two_factor_lets_a_lead_in_on_the_next_request(warm, organisation, ward):
    lead = _member(organisation, "nia@city.nhs.uk", "Nia Lead", Role.QI_LEAD, ward)
    client = warm(lead, INBOX)
    assert client.get(INBOX).url == reverse("mfa_activate_totp")
    TOTP.activate(lead, generate_totp_secret())
    assert client.get(INBOX).status_code == 200


def test_using_an_authenticator_leaves_the_kept_membership_be(warm, lena):
    client = warm(lena, INBOX)
    Authenticator.objects.filter(user=lena).update(last_used_at=timezone.now())
    assert membership_lookups(client, INBOX) == (200, 0)
