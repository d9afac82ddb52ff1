"""Bad input gets a field error, never a 500, and old bad rows cannot break a page."""

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from ideas.models import Idea
from organisations.models import Ward

ORG = "/city-hospitals"


def test_a_title_with_a_line_break_gets_a_field_error(client_for, bob, categories, ward):
    response = client_for(bob).post(
        f"{ORG}/ideas/new/",
        {
            "submission_id": "6f1c1f2e-0000-4000-8000-000000000001",
            "kind": "idea",
            "title": "Trolley\nBcc: everyone@example.com",
            "description": "Nights.",
            "category": categories["Efficiency and waste"].pk,
            "ward": ward.pk,
        },
    )
    assert response.status_code == 400
    assert "on one line" in response.content.decode()
    with scopes_disabled():
        assert not Idea.objects.exists()


def test_the_service_refuses_a_title_with_control_characters_too(share, bob):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        share(bob, title="Trolley\x1b[31m")


def test_an_old_idea_with_a_line_break_in_its_title_still_takes_updates_and_emails(
    client_for, share, bob, lena, django_capture_on_commit_callbacks
):
    idea = share(bob)
    with scopes_disabled():
        Idea.objects.filter(pk=idea.pk).update(title="Trolley\r\nfor nights")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lena).post(
            f"{ORG}/triage/{idea.pk}/status/", {"to_status": "under_review"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject and "\r" not in mail.outbox[0].subject


@pytest.mark.parametrize(
    "query",
    [
        {"start": "0001-01-01", "end": "0001-01-03"},
        {"start": "0001-01-01"},
        {"end": "9999-12-31"},
        {"start": "2000-01-01", "end": "0001-01-01"},
    ],
)
def test_far_off_dates_on_dashboards_get_a_field_error(client_for, lena, query):
    client = client_for(lena)
    for path in ["dashboards/", "dashboards/who-takes-part/", "dashboards/spc/"]:
        response = client.get(f"{ORG}/{path}", query)
        assert response.status_code == 200, path
        assert "Choose a date between" in response.content.decode() or "end date" in (
            response.content.decode()
        ), path


@pytest.mark.parametrize("value", ["²", "١٢", "-1", "9" * 40, "1e3", ""])
def test_you_said_we_did_takes_any_ward_parameter(client_for, bob, value):
    response = client_for(bob).get(f"{ORG}/you-said-we-did/", {"ward": value})
    assert response.status_code in (200, 302)


# The platform admin: values typed into the request where an id belongs.


@pytest.mark.parametrize(
    "changelist",
    [
        "/admin/organisations/ward/",  # a number id
        "/admin/organisations/invitation/",  # a UUID
        "/admin/django_celery_beat/crontabschedule/",  # a library's admin
    ],
)
def test_an_admin_action_on_ids_that_are_not_ids_changes_nothing(
    client_for, platform_admin, ward, changelist
):
    client = client_for(platform_admin)
    # None is an id of every model here ("1" is a number but no UUID).
    for selected in (["²"], ["abc", "1"], ["1e308"], ["1", "00000000-0000-0000-0000-0"]):
        response = client.post(
            changelist,
            {"action": "delete_selected", "_selected_action": selected, "index": "0"},
            follow=True,
        )
        assert response.status_code == 200, selected
        assert "Those rows do not exist. No items have been changed." in response.content.decode()
    with scopes_disabled():
        assert Ward.objects.filter(pk=ward.pk).exists()


def test_an_admin_action_on_real_rows_still_asks_to_confirm(client_for, platform_admin, ward):
    response = client_for(platform_admin).post(
        "/admin/organisations/ward/",
        {"action": "delete_selected", "_selected_action": [str(ward.pk)], "index": "0"},
    )
    assert response.status_code == 200
    assert "Are you sure you want to delete the selected" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "²", "1e308", "9" * 40, "line\nbreak"])
def test_an_autocomplete_field_given_no_id_gets_a_field_error(
    client_for, platform_admin, organisation, ward, value
):
    client = client_for(platform_admin)
    for path, data in [
        ("/admin/organisations/ward/add/", {"site": value, "name": "New ward"}),
        ("/admin/organisations/membership/add/", {"user": value, "home_ward": value}),
        (f"/admin/organisations/ward/{ward.pk}/change/", {"site": value, "name": ward.name}),
    ]:
        data |= {"organisation": organisation.pk, "role": "staff", "is_active": "on"}
        response = client.post(path, data)
        assert response.status_code == 200, path
        assert "Select a valid choice" in response.content.decode(), path
