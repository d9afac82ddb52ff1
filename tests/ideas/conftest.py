import pytest
from django_scopes import scopes_disabled


@pytest.fixture
def dana(organisation, ward):
    """A nurse at City Hospitals who shares anonymously in these tests."""
    from tests.factories import MembershipFactory

    with scopes_disabled():
        return MembershipFactory(
            organisation=organisation,
            user__email="dana.whistle@city.nhs.uk",
            user__name="Dana Whistleblower",
            home_ward=ward,
        ).user
