"""An organisation admin sets, from their own screen, who members raising a concern are told
to contact and the response target for urgent concerns."""

import pytest
from django_scopes import scopes_disabled

from organisations.models import Organisation

SETTINGS = "/city-hospitals/manage/concerns/"
SHARE = "/city-hospitals/ideas/new/"
VALID = {
    "speak_up_guardian_name": "Priya Shah",
    "speak_up_guardian_contact": "extension 4455",
    "incident_reporting_url": "https://datix.city.nhs.uk/report",
    "urgent_response_target_days": "1",
}


def saved(organisation):
    with scopes_disabled():
        return Organisation.objects.get(pk=organisation.pk)


@pytest.mark.django_db(transaction=True)
def test_an_admin_sets_the_contacts_and_the_share_form_shows_them(
    postgresql, client_for, alice, bob, organisation, other_organisation
):
    admin = client_for(alice)
    assert "Contacts for urgent concerns" in admin.get("/city-hospitals/").content.decode()
    response = admin.post(SETTINGS, VALID, follow=True)
    assert "Saved. Members raising a concern now see these contacts." in response.content.decode()
    org = saved(organisation)
    assert (org.speak_up_guardian_name, org.urgent_response_target_days) == ("Priya Shah", 1)
    assert org.incident_reporting_url == "https://datix.city.nhs.uk/report"
    page = client_for(bob).get(SHARE).content.decode()
    assert "Priya Shah, our Freedom to Speak Up guardian: extension 4455" in page
    assert saved(other_organisation).speak_up_guardian_name == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("incident_reporting_url", "javascript:alert(1)", "Enter a valid URL."),
        ("urgent_response_target_days", "9", "must be no longer than the response target"),
        ("urgent_response_target_days", "0", "greater than or equal to 1"),
        ("urgent_response_target_days", "soon", "Enter a whole number."),
    ],
)
def test_bad_settings_get_a_field_error_and_keep_what_was_typed(
    client_for, alice, organisation, field, value, error
):
    response = client_for(alice).post(SETTINGS, {**VALID, field: value})
    page = response.content.decode()
    assert response.status_code == 400
    assert f'href="#id_{field}"' in page and error in page
    assert "Priya Shah" in page  # nothing typed is lost
    assert saved(organisation).speak_up_guardian_name == ""


@pytest.mark.django_db
def test_only_an_admin_of_the_organisation_reaches_the_settings(
    client_for, lena, bob, charlie, organisation
):
    assert client_for(bob).get(SETTINGS).status_code == 403
    assert client_for(bob).post(SETTINGS, VALID).status_code == 403
    assert client_for(lena).post(SETTINGS, VALID).status_code == 403
    assert client_for(charlie).post(SETTINGS, VALID).status_code == 404
    assert saved(organisation).speak_up_guardian_name == ""
