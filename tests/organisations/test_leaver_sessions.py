"""A leaver's every session ends when they are deactivated: those allauth recorded and
those it did not (a session made by `force_login`, or by anything else that signs a
person in), on every device, at the next request. Everyone else stays signed in."""

from allauth.usersessions.models import UserSession
from django.contrib.auth.base_user import AbstractBaseUser
from django.test import Client
from django_scopes import scopes_disabled

from accounts.models import User
from organisations.models import Membership
from tests import factories

STAFF = "/city-hospitals/manage/staff/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def membership_id(user, organisation) -> int:
    with scopes_disabled():
        return Membership.objects.get(user=user, organisation=organisation).pk


def test_sessions_allauth_never_recorded_end_on_deactivation(client_for, alice, bob, organisation):
    phone, desktop = signed_in(bob), signed_in(bob)
    assert phone.get("/city-hospitals/").status_code == 200
    assert not UserSession.objects.filter(user=bob).exists()  # force_login records none
    admin = client_for(alice)

    url = f"{STAFF}{membership_id(bob, organisation)}/deactivate/"
    assert admin.post(url).status_code == 302

    for client in (phone, desktop):
        response = client.get("/city-hospitals/")
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
        assert "_auth_user_id" not in client.session
    # The admin who did it, and other people, stay signed in.
    assert admin.get("/city-hospitals/manage/").status_code == 200


def test_bulk_deactivation_ends_unrecorded_sessions_too(client_for, alice, bob, organisation):
    phone = signed_in(bob)
    form = {"member": [membership_id(bob, organisation)], "action": "deactivate", "confirm": "on"}
    assert client_for(alice).post(f"{STAFF}change/", form).status_code == 302
    assert phone.get("/city-hospitals/").status_code == 302


def test_a_leaver_of_one_organisation_is_signed_out_of_every_one(
    client_for, alice, bob, organisation, other_organisation
):
    """A session is the person's, not the organisation's: one that stayed signed in for
    the other organisation would still be the leaver's browser on a shared ward PC."""
    with scopes_disabled():
        factories.MembershipFactory(organisation=other_organisation, user=bob)
    phone = signed_in(bob)
    assert phone.get("/hill-trust/").status_code == 200
    url = f"{STAFF}{membership_id(bob, organisation)}/deactivate/"
    assert client_for(alice).post(url).status_code == 302
    assert phone.get("/hill-trust/").status_code == 302


def test_reactivated_they_sign_in_again(client_for, alice, bob, organisation):
    admin = client_for(alice)
    member = membership_id(bob, organisation)
    admin.post(f"{STAFF}{member}/deactivate/")
    admin.post(f"{STAFF}{member}/reactivate/")
    bob.refresh_from_db()  # a sign-in reads the person afresh, as this does
    assert signed_in(bob).get("/city-hospitals/").status_code == 200


def test_sessions_made_before_any_deactivation_stay_signed_in(db):
    """The hash of a person never deactivated is Django's own, so adding the epoch signed
    nobody out."""
    with scopes_disabled():
        user = factories.UserFactory()
    assert user.session_epoch == 0
    assert user.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(user)
    User.objects.filter(pk=user.pk).update(session_epoch=1)
    user.refresh_from_db()
    assert user.get_session_auth_hash() != AbstractBaseUser.get_session_auth_hash(user)
