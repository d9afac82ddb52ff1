"""An organisation admin erases a leaver's personal data; what they shared stays as a
former member's, and their anonymous rows can no longer be matched to them."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.db import models
from django.db.models.functions import Cast
from django_scopes import scope, scopes_disabled

from api.models import PersonalAccessToken
from audit.models import AuditEvent
from ideas import anonymity
from ideas.models import Comment, Idea, Notification, PulseCheckIn
from ideas.selectors import ideas_of_member
from organisations.models import Membership
from privacy.selectors import own_pulse_check_ins
from tests import factories
from tests.conftest import membership

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _erase_url(organisation, member):
    return f"/{organisation.slug}/manage/staff/{member.pk}/erase/"


def _deactivate(member):
    with scopes_disabled():
        Membership.objects.filter(pk=member.pk).update(is_active=False)


def _rows_mentioning(*needles):
    """Every (model, field) of every table whose text holds one of `needles`."""
    found = []
    with scopes_disabled():
        for model in apps.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            for field in model._meta.concrete_fields:
                if not isinstance(field, TEXT_FIELDS):
                    continue
                rows = model._base_manager.annotate(_text=Cast(field.name, models.TextField()))
                for needle in needles:
                    if rows.filter(_text__icontains=needle).exists():
                        found.append(f"{model._meta.label}.{field.name} has {needle}")
    return found


@pytest.fixture
def leaver(organisation, bob, bobs_life, client_for):
    """Bob has left: signed in somewhere, with an old invitation, two-factor, deactivated."""
    client_for(bob)  # a session
    UserSession.objects.create(user=bob, ip="192.0.2.1", session_key="k" * 32, user_agent="UA")
    Authenticator.objects.create(user=bob, type=Authenticator.Type.TOTP, data={"secret": "x"})
    EmailAddress.objects.get_or_create(user=bob, email=bob.email, verified=True)
    with scopes_disabled():
        factories.InvitationFactory(organisation=organisation, email=bob.email)
    member = membership(bob, organisation)
    _deactivate(member)
    return member


def test_the_member_edit_page_offers_erasure_only_for_a_leaver(
    client_for, alice, bob, organisation
):
    member = membership(bob, organisation)
    page = client_for(alice).get(f"/{organisation.slug}/manage/staff/{member.pk}/")
    assert _erase_url(organisation, member) not in page.content.decode()
    _deactivate(member)
    page = client_for(alice).get(f"/{organisation.slug}/manage/staff/{member.pk}/")
    assert _erase_url(organisation, member) in page.content.decode()


def test_an_active_member_is_not_erased(client_for, alice, bob, organisation):
    member = membership(bob, organisation)
    client = client_for(alice)
    assert "deactivate them" in client.get(_erase_url(organisation, member)).content.decode()
    response = client.post(_erase_url(organisation, member))
    assert response.status_code == 400
    bob.refresh_from_db()
    assert bob.name == "Bob Porter"


def test_an_admin_cannot_erase_themself(alice, organisation):
    from django.core.exceptions import ValidationError

    from privacy.services import member_erase

    member = membership(alice, organisation)
    _deactivate(member)
    with scope(organisation=organisation), pytest.raises(ValidationError):
        member_erase(membership=member, by=member)


def test_the_confirmation_page_says_what_happens(client_for, alice, organisation, leaver):
    page = client_for(alice).get(_erase_url(organisation, leaver)).content.decode()
    assert "Former member" in page
    assert "cannot be undone" in page
    assert "Erase personal data</button>" in page


def test_erasure_replaces_the_name_and_email_and_ends_every_way_in(
    client_for, alice, bob, organisation, leaver
):
    response = client_for(alice).post(_erase_url(organisation, leaver))
    assert response.status_code == 302
    assert response["Location"] == f"/{organisation.slug}/manage/staff/"
    bob.refresh_from_db()
    assert bob.name == "Former member"
    assert bob.email.startswith("erased-") and bob.email.endswith("@invalid")
    assert not bob.has_usable_password() and not bob.is_active
    assert not EmailAddress.objects.filter(user=bob).exists()
    assert not Authenticator.objects.filter(user=bob).exists()
    assert not UserSession.objects.filter(user=bob).exists()
    with scopes_disabled():
        assert not PersonalAccessToken.objects.filter(user=bob).exists()
        assert not Notification.objects.filter(recipient=bob).exists()
        (event,) = AuditEvent.objects.filter(action__startswith="erased")
    assert event.after == {"member": leaver.pk} and event.before == {}
    assert event.actor == alice


def test_after_erasure_no_table_holds_the_leavers_name_or_email(
    client_for, alice, organisation, leaver
):
    assert _rows_mentioning("Bob Porter", "bob@city.nhs.uk")  # the scan finds them before
    client_for(alice).post(_erase_url(organisation, leaver))
    assert _rows_mentioning("Bob Porter", "bob@city.nhs.uk") == []


def test_contributions_stay_as_a_former_members(
    client_for, alice, bob, lena, organisation, leaver, bobs_life
):
    client_for(alice).post(_erase_url(organisation, leaver))
    with scopes_disabled():
        named = Idea.objects.get(pk=bobs_life["named"].pk)
        assert named.author_id == bob.pk
        assert Comment.objects.filter(body="Bob on Lena's idea").exists()
        assert Comment.objects.filter(body="Bob as submitter").exists()
    assert anonymity.author_label(named) == "Former member"
    page = client_for(lena).get(f"/{organisation.slug}/ideas/{named.pk}/").content.decode()
    assert "Former member" in page


def test_the_leavers_anonymous_rows_can_no_longer_be_matched_to_them(
    client_for, alice, organisation, leaver, bobs_life
):
    anonymous = bobs_life["anonymous"]
    with scope(organisation=organisation):
        assert anonymity.is_submitter(leaver, anonymous)
        assert len(own_pulse_check_ins(leaver)) == 2
        check_ins = PulseCheckIn.objects.count()
    client_for(alice).post(_erase_url(organisation, leaver))
    with scope(organisation=organisation):
        anonymous.refresh_from_db()
        # Even with the key, the person's token (from their id) matches none of it.
        assert not anonymity.is_submitter(leaver, anonymous)
        assert anonymous.pk not in {i.pk for i in ideas_of_member(leaver)}
        assert own_pulse_check_ins(leaver) == []
        assert PulseCheckIn.objects.count() == check_ins  # the figures keep them
        assert not Notification.objects.filter(anonymity.addressed_to(leaver)).exists()
        assert anonymous.submitter_token not in anonymity.tokens_of_active_members(organisation)
        # Nobody else's "My ideas" lists it either.
        for member in Membership.objects.filter(organisation=organisation):
            assert anonymous.pk not in {i.pk for i in ideas_of_member(member)}


def test_the_leavers_anonymous_ideas_still_count_as_one_contributor(
    organisation, share, bob, alice
):
    from privacy.services import member_erase

    first = share(bob, anonymous=True, title="First")
    second = share(bob, anonymous=True, title="Second")
    member = membership(bob, organisation)
    _deactivate(member)
    with scope(organisation=organisation):
        member_erase(membership=member, by=membership(alice, organisation))
        first.refresh_from_db()
        second.refresh_from_db()
    # A new token, shared as the old one was: a day rolled up again counts one person.
    assert first.submitter_token == second.submitter_token
    assert first.submitter_token != anonymity.member_token(member)


def test_someone_in_another_organisation_too_is_removed_not_erased(
    client_for, alice, bob, organisation, other_organisation, leaver, bobs_life
):
    with scopes_disabled():
        factories.MembershipFactory(organisation=other_organisation, user=bob)
    client = client_for(alice)
    assert (
        "also belongs to another organisation"
        in client.get(_erase_url(organisation, leaver)).content.decode()
    )
    response = client.post(_erase_url(organisation, leaver), follow=True)
    assert "they were removed from City Hospitals" in response.content.decode()
    bob.refresh_from_db()
    assert bob.name == "Bob Porter" and bob.email == "bob@city.nhs.uk"
    with scopes_disabled():
        assert not Membership.objects.filter(pk=leaver.pk).exists()
        assert Membership.objects.filter(user=bob, organisation=other_organisation).exists()
        assert not PersonalAccessToken.objects.filter(user=bob, organisation=organisation).exists()
        assert AuditEvent.objects.get(action="removed a former member").after == {
            "member": leaver.pk
        }
    with scope(organisation=organisation):
        anonymous = Idea.objects.get(pk=bobs_life["anonymous"].pk)
        assert not anonymity.is_submitter(leaver, anonymous)


def test_an_erased_member_is_not_erased_twice(client_for, alice, organisation, leaver):
    client = client_for(alice)
    client.post(_erase_url(organisation, leaver))
    page = client.get(f"/{organisation.slug}/manage/staff/{leaver.pk}/").content.decode()
    assert "Their personal data has been erased." in page
    assert _erase_url(organisation, leaver) not in page
    assert client.post(_erase_url(organisation, leaver)).status_code == 400
    with scopes_disabled():
        assert AuditEvent.objects.filter(action__startswith="erased").count() == 1
