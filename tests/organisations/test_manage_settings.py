"""An organisation admin's own settings: name, sign-up domains, suppression threshold,
response target and pulse on or off. Bad input is a field error and nothing is lost."""

from datetime import timedelta

import pytest
from django_scopes import scopes_disabled

from api import tokens
from audit.models import AuditEvent
from organisations.models import Organisation, SignupDomain

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
SETTINGS = "/city-hospitals/manage/settings/"
VALID = {
    "settings": "",
    "name": "City Hospitals",
    "suppression_threshold": "8",
    "response_target_days": "10",
    "pulse_enabled": "on",
}


def saved(organisation):
    with scopes_disabled():
        return Organisation.objects.get(pk=organisation.pk)


def domains(organisation):
    with scopes_disabled():
        return set(
            SignupDomain.objects.filter(organisation=organisation).values_list("domain", flat=True)
        )


def test_an_admin_changes_the_settings_and_the_audit_says_before_and_after(
    client_for, organisation, alice
):
    response = client_for(alice).post(SETTINGS, VALID, follow=True)
    assert "Saved the organisation&#x27;s settings." in response.content.decode()
    org = saved(organisation)
    assert (org.name, org.suppression_threshold, org.response_target_days) == (
        "City Hospitals",
        8,
        10,
    )
    with scopes_disabled():
        event = AuditEvent.objects.get(action="changed organisation settings")
    assert event.before == {
        "name": "City Hospitals NHS Foundation Trust",
        "suppression_threshold": 11,
        "response_target_days": 7,
    }
    assert event.after["suppression_threshold"] == 8 and event.actor == alice


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("suppression_threshold", "4", "Enter 5 or more"),
        ("suppression_threshold", "0", "Enter 5 or more"),
        ("suppression_threshold", "-1", "Enter 5 or more"),
        ("suppression_threshold", "", "Enter 5 or more"),
        ("suppression_threshold", "101", "Enter 100 or fewer."),
        ("suppression_threshold", "many", "Enter a whole number."),
        ("response_target_days", "0", "Enter a number of days from 1 to 90."),
        ("response_target_days", "-3", "Enter a number of days from 1 to 90."),
        ("name", "", "Enter the organisation&#x27;s name."),
    ],
)
def test_bad_settings_are_field_errors_and_nothing_is_saved(
    client_for, organisation, alice, field, value, error
):
    response = client_for(alice).post(SETTINGS, {**VALID, field: value})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'href="#id_{field}"' in page and error in page
    assert "greater than or equal" not in page and "This field is required" not in page
    org = saved(organisation)
    assert (org.name, org.suppression_threshold) == ("City Hospitals NHS Foundation Trust", 11)


def test_a_response_target_shorter_than_the_urgent_one_is_a_field_error(
    client_for, organisation, alice
):
    with scopes_disabled():
        Organisation.objects.filter(pk=organisation.pk).update(urgent_response_target_days=5)
    response = client_for(alice).post(SETTINGS, {**VALID, "response_target_days": "3"})
    assert response.status_code == 400
    assert "Make it at least 5 days" in response.content.decode()
    assert saved(organisation).response_target_days == 7


def test_an_admin_adds_and_removes_sign_up_domains(client_for, organisation, alice):
    admin = client_for(alice)
    response = admin.post(SETTINGS, {"add_domain": "", "domain-domain": " @Northgate.NHS.uk "})
    assert response.status_code == 302
    assert domains(organisation) == {"city.nhs.uk", "northgate.nhs.uk"}
    with scopes_disabled():
        added = SignupDomain.objects.get(domain="northgate.nhs.uk")
    remove = f"/city-hospitals/manage/settings/domains/{added.pk}/remove/"
    assert admin.post(remove).status_code == 302
    assert domains(organisation) == {"city.nhs.uk"}
    with scopes_disabled():
        actions = list(AuditEvent.objects.order_by("id").values_list("action", "after", "before"))
    assert actions == [
        ("added sign-up domain", {"domain": "northgate.nhs.uk"}, {}),
        ("removed sign-up domain", {}, {"domain": "northgate.nhs.uk"}),
    ]


@pytest.mark.parametrize(
    ("domain", "error"),
    [
        ("not a domain", "Enter a domain such as trust.nhs.uk"),
        ("nhs", "Enter a domain such as trust.nhs.uk"),
        ("hill.nhs.uk", "hill.nhs.uk belongs to another organisation"),
        ("CITY.nhs.uk", "city.nhs.uk is already on the list."),
        ("", "This field is required."),
    ],
)
def test_a_bad_or_taken_domain_is_a_field_error(
    client_for, organisation, other_organisation, alice, domain, error
):
    response = client_for(alice).post(SETTINGS, {"add_domain": "", "domain-domain": domain})
    assert response.status_code == 400
    page = response.content.decode()
    assert error in page and 'href="#id_domain-domain"' in page
    assert domains(organisation) == {"city.nhs.uk"}
    assert domains(other_organisation) == {"hill.nhs.uk"}


def test_pulse_switched_off_hides_the_link_and_404s_the_pages_and_api(
    client_for, organisation, alice, bob
):
    assert "How was your shift?" in client_for(bob).get("/city-hospitals/").content.decode()
    off = {k: v for k, v in VALID.items() if k != "pulse_enabled"}
    assert client_for(alice).post(SETTINGS, off).status_code == 302
    assert saved(organisation).pulse_enabled is False
    staff = client_for(bob)
    assert "How was your shift?" not in staff.get("/city-hospitals/").content.decode()
    assert staff.get("/city-hospitals/pulse/").status_code == 404
    assert staff.post("/city-hospitals/pulse/", {"score": 4}).status_code == 404
    assert staff.get("/city-hospitals/pulse/thanks/").status_code == 404
    _, token = tokens.token_create(
        user=bob, organisation_id=organisation.pk, name="App", scope="write", lifetime=DAY
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    api = "/api/v1/city-hospitals/pulse/"
    posted = staff.post(api, {"score": 4}, content_type="application/json", **headers)
    assert posted.status_code == 404
    assert staff.get(f"{api}summary/", **headers).status_code == 404
