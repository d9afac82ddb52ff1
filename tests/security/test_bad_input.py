"""Bad input gets a field error, never a 500, and old bad rows cannot break a page."""

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from ideas.models import Idea

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
