import uuid

import pytest
from django_scopes import scope, scopes_disabled

from ideas import services
from ideas.models import Category
from organisations.models import Membership


def membership(user, organisation):
    with scopes_disabled():
        return Membership.objects.select_related("organisation", "home_ward", "user").get(
            user=user, organisation=organisation
        )


@pytest.fixture
def categories(organisation):
    with scope(organisation=organisation):
        services.category_defaults_ensure(organisation)
        return {c.name: c for c in Category.objects.filter(organisation=organisation)}


@pytest.fixture
def share(organisation, categories, ward):
    """Share an idea as `user` through the service, as the submit form does."""

    def make(user, *, anonymous=False, title="Second drug trolley for nights", **fields):
        member = membership(user, organisation)
        with scope(organisation=organisation):
            idea, _ = services.idea_submit(
                member=member,
                submission_id=fields.pop("submission_id", uuid.uuid4()),
                kind=fields.pop("kind", "idea"),
                title=title,
                description=fields.pop("description", "We lose twenty minutes every round."),
                category=fields.pop("category", categories["Efficiency and waste"]),
                ward=fields.pop("ward", ward),
                anonymous=anonymous,
            )
        return idea

    return make


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
