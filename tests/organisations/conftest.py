import pytest
from django_scopes import scopes_disabled

from organisations.models import Role
from tests.factories import InvitationFactory

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
