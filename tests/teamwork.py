"""Fixtures for triage, teams and QI projects (a plugin of tests/conftest.py).

Shared fixtures (`categories`, `share`) and the `membership` helper are in tests/conftest.py.
"""

import html

import pytest
from django_scopes import scope, scopes_disabled

from organisations.models import Role
from tests import factories
from tests.conftest import membership

ORG = "/city-hospitals"


def page(response) -> str:
    """The response body as a person reads it (entities such as &#x27; decoded)."""
    return html.unescape(response.content.decode())


def person(organisation, email, name, *, role=Role.STAFF, ward=None, profession=None):
    fields = {"profession": profession} if profession is not None else {}
    with scopes_disabled():
        return factories.MembershipFactory(
            organisation=organisation,
            user__email=email,
            user__name=name,
            role=role,
            home_ward=ward,
            **fields,
        ).user


@pytest.fixture
def team(organisation):
    with scopes_disabled():
        return factories.TeamFactory(organisation=organisation, name="Patient Flow Team")


@pytest.fixture
def other_team(organisation):
    with scopes_disabled():
        return factories.TeamFactory(organisation=organisation, name="Falls Prevention Team")


@pytest.fixture
def tess(organisation, ward, team):
    """A staff nurse of City Hospitals who is a member of the Patient Flow Team."""
    user = person(organisation, "tess@city.nhs.uk", "Tess Teamwork", ward=ward)
    with scopes_disabled():
        team.members.add(membership(user, organisation))
    return user


@pytest.fixture
def project(organisation, team):
    with scopes_disabled():
        return factories.ProjectFactory(
            organisation=organisation,
            team=team,
            title="Faster discharge before noon",
            aim="Discharge 40% of patients before noon on Acute Medical Unit by March.",
        )


@pytest.fixture
def other_project(organisation, other_team):
    with scopes_disabled():
        return factories.ProjectFactory(
            organisation=organisation, team=other_team, title="Fewer falls at night"
        )


@pytest.fixture
def measure(project):
    with scopes_disabled():
        return factories.MeasureFactory(
            project=project, name="Discharges before noon", unit="%", direction="up"
        )


@pytest.fixture
def as_member(organisation):
    """Run a service as `user` of City Hospitals: as_member(lena, services.x, **kwargs)."""

    def call(user, function, **kwargs):
        with scope(organisation=organisation):
            return function(member=membership(user, organisation), **kwargs)

    return call
