"""The concern settings a platform admin sets for an organisation in /admin/: who to contact
for something urgent or about patient safety, and the response target for urgent concerns."""

import html

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django_scopes import scopes_disabled

from organisations.models import Organisation
from tests.factories import UserFactory


@pytest.fixture
def platform_admin(db):
    with scopes_disabled():
        user = UserFactory(email="platform@improvewell.local", is_staff=True, is_superuser=True)
    TOTP.activate(user, generate_totp_secret())
    return user


def change(client, organisation, **fields):
    data = {
        "name": organisation.name,
        "slug": organisation.slug,
        "suppression_threshold": 11,
        "response_target_days": 7,
        "urgent_response_target_days": 2,
        "signup_domains-TOTAL_FORMS": 0,
        "signup_domains-INITIAL_FORMS": 0,
        "sites-TOTAL_FORMS": 0,
        "sites-INITIAL_FORMS": 0,
        **fields,
    }
    return client.post(f"/admin/organisations/organisation/{organisation.pk}/change/", data)


def saved(organisation):
    with scopes_disabled():
        return Organisation.objects.get(pk=organisation.pk)


def test_the_admin_sets_the_guardian_and_the_incident_link(
    client_for, platform_admin, organisation
):
    client = client_for(platform_admin)
    form = client.get(f"/admin/organisations/organisation/{organisation.pk}/change/")
    assert "Freedom to Speak Up guardian" in form.content.decode()
    response = change(
        client,
        organisation,
        speak_up_guardian_name="Priya Shah",
        speak_up_guardian_contact="extension 4455",
        incident_reporting_url="https://datix.city.nhs.uk/report",
        urgent_response_target_days=1,
    )
    assert response.status_code == 302
    row = saved(organisation)
    assert row.speak_up_guardian_name == "Priya Shah"
    assert row.incident_reporting_url == "https://datix.city.nhs.uk/report"
    assert row.urgent_response_target_days == 1


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "not a link", "ftp://datix.city.nhs.uk/", "https://"]
)
def test_a_bad_incident_link_gets_a_field_error(client_for, platform_admin, organisation, link):
    response = change(client_for(platform_admin), organisation, incident_reporting_url=link)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Enter a valid URL." in page
    assert saved(organisation).incident_reporting_url == ""


@pytest.mark.parametrize(("days", "error"), [(8, "no longer than"), (0, "greater than or equal")])
def test_the_urgent_target_is_no_longer_than_the_target(
    client_for, platform_admin, organisation, days, error
):
    response = change(client_for(platform_admin), organisation, urgent_response_target_days=days)
    assert response.status_code == 200
    assert error in html.unescape(response.content.decode())
    assert saved(organisation).urgent_response_target_days == 2


def test_a_new_organisation_has_a_two_day_urgent_target(organisation):
    assert saved(organisation).urgent_response_target_days == 2
