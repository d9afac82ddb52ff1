import pytest
from django_scopes import scopes_disabled

from organisations.models import Role
from tests.factories import InvitationFactory, MembershipFactory, WardFactory

PASSWORD = "a-long-ward-round-password"


@pytest.fixture
def invitation(organisation, alice):
    """Alice invites a locum (a personal address, no listed domain) as a QI lead."""
    with scopes_disabled():
        return InvitationFactory(
            organisation=organisation,
            email="locum.doctor@gmail.com",
            role=Role.QI_LEAD,
            invited_by=alice,
        )


def sign_up(client, email):
    return client.post(
        "/accounts/signup/",
        {"name": "Lou Locum", "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )


@pytest.fixture
def people(organisation, ward):
    """A nurse, a porter on another ward and a deactivated doctor."""
    with scopes_disabled():
        oak = WardFactory(organisation=organisation, name="Oak Ward")
        nurse = MembershipFactory(
            organisation=organisation,
            user__email="nia.nurse@city.nhs.uk",
            user__name="Nia Nurse",
            profession="nursing_midwifery",
            home_ward=ward,
        )
        porter = MembershipFactory(
            organisation=organisation,
            user__email="pat.porter@city.nhs.uk",
            user__name="Pat O'Porter",
            profession="estates_ancillary",
            home_ward=oak,
        )
        doctor = MembershipFactory(
            organisation=organisation,
            user__email="dev.doctor@city.nhs.uk",
            user__name="Dev Doctor",
            role=Role.QI_LEAD,
            profession="medical_dental",
            home_ward=ward,
            is_active=False,
        )
    return {"nurse": nurse, "porter": porter, "doctor": doctor, "oak": oak}
