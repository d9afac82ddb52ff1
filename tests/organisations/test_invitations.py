from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from organisations.models import Invitation, Membership, Role
from organisations.services import InvitationError, invitation_accept, invitation_create
from tests.factories import MembershipFactory
from tests.organisations.conftest import sign_up


def test_invited_person_signs_up_with_the_role_the_inviter_set(client, invitation, organisation):
    page = client.get(f"/invitations/{invitation.token}/")
    assert page.status_code == 200
    assert "Join City Hospitals NHS Foundation Trust" in page.content.decode()

    form = client.get("/accounts/signup/")
    assert 'value="locum.doctor@gmail.com"' in form.content.decode()  # prefilled

    response = sign_up(client, "locum.doctor@gmail.com")
    assert response.status_code == 302
    with scopes_disabled():
        membership = Membership.objects.get(user__email="locum.doctor@gmail.com")
        invitation.refresh_from_db()
    assert membership.organisation == organisation
    assert membership.role == Role.QI_LEAD
    assert invitation.state == Invitation.State.ACCEPTED
    # The invitation link proved the address: no separate verification needed.
    assert EmailAddress.objects.get(email="locum.doctor@gmail.com").verified


def test_invitation_does_not_open_sign_up_for_another_address(client, invitation):
    client.get(f"/invitations/{invitation.token}/")
    response = sign_up(client, "someone.else@gmail.com")
    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_signed_in_person_accepts_an_invitation(client_for, other_organisation, invitation):
    with scopes_disabled():
        person = MembershipFactory(
            organisation=other_organisation, user__email="locum.doctor@gmail.com"
        ).user
    client = client_for(person)
    response = client.post(f"/invitations/{invitation.token}/")
    assert response.status_code == 302
    assert response.url == "/city-hospitals/"
    assert client.get("/city-hospitals/").status_code == 200


def test_invitation_sent_to_someone_else_is_refused(client_for, bob, invitation):
    response = client_for(bob).post(f"/invitations/{invitation.token}/")
    assert response.status_code == 409
    assert "This invitation was sent to locum.doctor@gmail.com" in response.content.decode()
    with scopes_disabled():
        assert Membership.objects.get(user=bob).role == Role.STAFF


def test_expired_invitation_explains_itself(client, invitation):
    with scopes_disabled():
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    response = client.get(f"/invitations/{invitation.token}/")
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


def test_used_invitation_cannot_be_used_again(client, client_for, invitation):
    client.get(f"/invitations/{invitation.token}/")
    sign_up(client, "locum.doctor@gmail.com")

    response = client_for(invitation.invited_by).get(f"/invitations/{invitation.token}/")
    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    with pytest.raises(InvitationError, match="already been used"):
        with scopes_disabled():
            user = Membership.objects.get(user__email="locum.doctor@gmail.com").user
        invitation_accept(token=invitation.token, user=user)


@pytest.mark.parametrize("token", ["nonsense", "x" * 500, "%00", "../../etc"])
def test_unknown_or_odd_tokens_get_a_clear_page_not_a_500(client, db, token):
    response = client.get(f"/invitations/{token}/")
    assert response.status_code in (404, 410)
    if response.status_code == 410:
        assert "This invitation link is not valid" in response.content.decode()


def test_admin_invites_someone_and_the_email_goes_out_after_commit(
    client_for, alice, organisation, django_capture_on_commit_callbacks
):
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/city-hospitals/manage/invitations/",
            {"email": "New.Starter@Gmail.com", "role": Role.STAFF},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.starter@gmail.com"]
    with scope(organisation=organisation):
        invitation = Invitation.objects.get()
    assert f"/invitations/{invitation.token}/" in mail.outbox[0].body
    page = client.get("/city-hospitals/manage/invitations/")
    assert "new.starter@gmail.com" in page.content.decode()


def test_inviting_an_existing_member_is_a_field_error(client_for, alice, bob):
    response = client_for(alice).post(
        "/city-hospitals/manage/invitations/", {"email": "bob@city.nhs.uk", "role": Role.STAFF}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [
        "This person is already a member of the organisation."
    ]


def test_malformed_invitation_email_keeps_what_was_typed(client_for, alice):
    response = client_for(alice).post(
        "/city-hospitals/manage/invitations/", {"email": "not an email", "role": Role.QI_LEAD}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter an email address such as name@trust.nhs.uk." in content
    assert 'value="not an email"' in content
    assert 'href="#id_email"' in content  # error summary links to the field


def test_a_new_invitation_replaces_the_pending_one(organisation, alice):
    with scope(organisation=organisation):
        first = invitation_create(
            organisation=organisation, email="a@gmail.com", role=Role.STAFF, invited_by=alice
        )
        second = invitation_create(
            organisation=organisation, email="A@gmail.com", role=Role.QI_LEAD, invited_by=alice
        )
        first.refresh_from_db()
    assert first.state == Invitation.State.REVOKED
    assert second.state == Invitation.State.PENDING


def test_admin_withdraws_an_invitation_after_confirming(client_for, alice, invitation):
    client = client_for(alice)
    url = f"/city-hospitals/manage/invitations/{invitation.pk}/revoke/"
    confirm = client.get(url)
    assert "Withdraw the invitation to locum.doctor@gmail.com?" in confirm.content.decode()
    assert client.post(url).status_code == 302
    response = client.get(f"/invitations/{invitation.token}/")
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
