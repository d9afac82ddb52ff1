"""Who may join an organisation, tried as an attacker would.

An invitation admits only the exact address it was sent to; joining by email
domain follows only the confirmation of that exact address.
"""

import re

from allauth.account.models import EmailAddress
from django.core import mail
from django_scopes import scopes_disabled

from organisations.models import Invitation, Membership, Role
from organisations.signup import NO_ACCESS_MESSAGE
from tests.factories import InvitationFactory
from tests.organisations.conftest import sign_up


def memberships(email):
    with scopes_disabled():
        return {
            (m.organisation.slug, m.role)
            for m in Membership.objects.filter(user__email=email).select_related("organisation")
        }


def confirm_by_the_emailed_link(client, email):
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    path = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", message.body)[1]
    return client.post(path)


def test_an_invitation_link_does_not_let_a_made_up_address_into_a_listed_organisation(
    client, invitation, other_organisation
):
    # Anyone holding any invitation link opens it, then signs up with an address
    # they do not own at another organisation's listed domain.
    client.get(f"/invitations/{invitation.token}/")
    response = sign_up(client, "anyone@hill.nhs.uk")

    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"  # told to check that inbox
    assert memberships("anyone@hill.nhs.uk") == set()
    assert not EmailAddress.objects.get(email="anyone@hill.nhs.uk").verified
    # The invited address is not attached to someone else's account...
    assert not EmailAddress.objects.filter(email="locum.doctor@gmail.com").exists()
    # ...nobody is signed in, and the invitation is still waiting for its own address.
    assert client.get("/hill-trust/").status_code == 302
    with scopes_disabled():
        invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING


def test_the_invited_address_signs_up_and_joins_the_inviting_organisation_only(
    client, organisation, other_organisation, alice
):
    # Invited by City Hospitals at an address on Hill's listed domain.
    with scopes_disabled():
        invitation = InvitationFactory(
            organisation=organisation, email="new.doctor@hill.nhs.uk", role=Role.QI_LEAD
        )
    client.get(f"/invitations/{invitation.token}/")
    response = sign_up(client, "New.Doctor@hill.nhs.uk")

    assert response.status_code == 302
    assert memberships("new.doctor@hill.nhs.uk") == {("city-hospitals", Role.QI_LEAD)}
    assert EmailAddress.objects.get(email="new.doctor@hill.nhs.uk").verified
    assert client.get("/city-hospitals/").status_code == 200  # signed in
    assert client.get("/hill-trust/").status_code == 404


def test_an_invitation_followed_in_this_browser_is_forgotten_after_another_sign_up(
    client, invitation, organisation
):
    client.get(f"/invitations/{invitation.token}/")
    sign_up(client, "dana.nurse@city.nhs.uk")

    # The next person at this browser is not offered the invitation, and the link
    # does not count as proof of the invited address for them either.
    assert "locum.doctor@gmail.com" not in client.get("/accounts/signup/").content.decode()
    response = sign_up(client, "locum.doctor@gmail.com")
    assert response.context["form"].errors["email"] == [NO_ACCESS_MESSAGE]
    assert not EmailAddress.objects.filter(email="locum.doctor@gmail.com").exists()


def test_signing_up_at_a_listed_domain_joins_only_once_the_address_is_confirmed(
    client, organisation
):
    assert sign_up(client, "dana.nurse@city.nhs.uk").status_code == 302
    assert memberships("dana.nurse@city.nhs.uk") == set()
    assert client.get("/city-hospitals/").status_code == 302  # not signed in

    response = confirm_by_the_emailed_link(client, "dana.nurse@city.nhs.uk")

    assert response.status_code == 302
    assert memberships("dana.nurse@city.nhs.uk") == {("city-hospitals", Role.STAFF)}
    assert client.get("/city-hospitals/").status_code == 200


def test_a_signed_in_person_cannot_take_an_invitation_sent_to_another_address(
    client_for, bob, invitation
):
    client = client_for(bob)
    page = client.get(f"/invitations/{invitation.token}/")
    assert "This invitation was sent to locum.doctor@gmail.com" in page.content.decode()
    assert client.post(f"/invitations/{invitation.token}/").status_code == 409
    assert memberships("bob@city.nhs.uk") == {("city-hospitals", Role.STAFF)}
    with scopes_disabled():
        invitation.refresh_from_db()
    assert invitation.state == Invitation.State.PENDING
