"""Roles that say one thing and do another: README, templates, views and services agree.

A QI lead leads improvement for the whole organisation: QI leads and organisation admins
start and change every project, triage every idea and manage teams. Staff who are team
members triage their teams' ideas and change their teams' projects; other staff read.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from audit.models import AuditEvent
from ideas.models import Notification, Status
from organisations.models import Role
from projects import services as project_services
from projects.models import Project, Stage
from teams import services as team_services
from teams.models import Team
from tests.projects.test_projects import edit_form, fresh, project_form, project_url
from tests.teamwork import ORG, page, person
from tests.triage.test_triage import assign
from triage import services as triage_services

MFA_SETUP = "/accounts/2fa/totp/activate/"


# A QI lead leads improvement for the whole organisation ----------------------------------


def test_a_qi_lead_on_no_team_starts_a_project_for_any_team(client_for, lena, team):
    client = client_for(lena)
    listing = page(client.get(f"{ORG}/projects/"))
    assert "Start a project" in listing
    assert client.get(f"{ORG}/projects/new/").status_code == 200
    response = client.post(f"{ORG}/projects/new/", project_form(team))
    assert response.status_code == 302
    with scopes_disabled():
        assert Project.objects.get().team == team


def test_a_qi_lead_on_no_team_changes_any_project_and_sees_its_audit_trail(
    client_for, lena, project
):
    client = client_for(lena)
    detail = page(client.get(project_url(project)))
    assert "Change the project, its stage or dates" in detail
    assert "Audit trail" in detail
    assert client.get(project_url(project, "edit/")).status_code == 200
    response = client.post(project_url(project, "edit/"), edit_form(project, stage="testing"))
    assert response.status_code == 302
    assert fresh(project).stage == Stage.TESTING
    driver = {"level": "primary", "text": "Timely decisions"}
    assert client.post(project_url(project, "drivers/"), driver).status_code == 302


def test_a_qi_lead_sees_the_teams_link_they_may_use(client_for, lena):
    text = page(client_for(lena).get(f"{ORG}/"))
    assert f'href="{ORG}/teams/"' in text


def test_staff_on_a_team_are_offered_only_their_own_teams_for_a_new_project(
    client_for, tess, team, other_team
):
    response = client_for(tess).get(f"{ORG}/projects/new/")
    with scopes_disabled():
        assert list(response.context["form"].fields["team"].queryset) == [team]


# Services check the same rules as the pages ---------------------------------------------


def test_the_services_refuse_staff_what_the_pages_refuse_them(
    as_member, bob, tess, share, team, other_project
):
    idea = share(bob)
    with pytest.raises(PermissionDenied):
        as_member(bob, team_services.team_save, name="Bob's team", purpose="", wards=[], members=[])
    with pytest.raises(PermissionDenied):
        as_member(bob, triage_services.idea_triage_status, idea=idea, to_status=Status.UNDER_REVIEW)
    with pytest.raises(PermissionDenied):
        as_member(tess, triage_services.idea_assign_team, idea=idea, team=team)
    with pytest.raises(PermissionDenied):
        as_member(
            tess,
            project_services.driver_node_add,
            project=other_project,
            level="primary",
            text="Hip protectors",
        )
    with scopes_disabled():
        assert not Team.objects.filter(name="Bob's team").exists()
        assert not AuditEvent.objects.exists()


def test_the_service_lets_a_qi_lead_change_a_project_of_a_team_they_are_not_on(
    as_member, lena, project
):
    as_member(
        lena,
        project_services.project_update,
        project=project,
        title=project.title,
        aim=project.aim,
        stage=Stage.PLANNING,
        team=project.team,
        wards=[],
        start_date=None,
        target_date=None,
    )
    assert fresh(project).stage == Stage.PLANNING


# Attaching ideas to a project -------------------------------------------------------------


def test_a_team_member_cannot_attach_an_idea_they_may_not_triage(
    client_for, tess, bob, share, team, other_team, django_capture_on_commit_callbacks
):
    theirs = share(bob, title="Hip protectors for night falls")
    assign(theirs, other_team)
    unassigned = share(bob, title="Quieter bleeps", anonymous=True)
    ours = share(bob, title="Discharge lounge opens at eight")
    assign(ours, team)
    client = client_for(tess)

    form = client.get(f"{ORG}/projects/new/", {"ideas": [theirs.pk, unassigned.pk, ours.pk]})
    assert form.status_code == 200
    text = page(form)
    assert "Hip protectors for night falls" not in text
    assert "Quieter bleeps" not in text
    assert "From 1 staff idea" in text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{ORG}/projects/new/", project_form(team, ideas=[theirs.pk, unassigned.pk])
        )
    assert response.status_code == 400
    assert "You can only link ideas that you triage." in page(response)
    with scopes_disabled():
        assert not Project.objects.exists()
        assert not Notification.objects.exists()


def test_the_link_service_refuses_an_idea_the_member_may_not_triage(
    as_member, tess, bob, share, project
):
    idea = share(bob)
    with pytest.raises(ValidationError) as refused:
        as_member(tess, project_services.project_link_idea, project=project, idea=idea)
    assert refused.value.message_dict == {"ideas": ["You can only link ideas that you triage."]}
    with scopes_disabled():
        assert not project.ideas.exists()
        assert not Notification.objects.exists()


# Two-factor authentication before anything a privileged role sees -----------------------


@pytest.mark.parametrize("role", [Role.QI_LEAD, Role.ORG_ADMIN])
def test_without_two_factor_a_lead_or_admin_sees_no_audit_trail_or_edit_forms(
    client_for, organisation, ward, project, measure, role
):
    lead = person(organisation, "nadia@city.nhs.uk", "Nadia NoMFA", role=role, ward=ward)
    with scopes_disabled():
        project.team.members.add(lead.memberships.get())
    client = client_for(lead)
    detail = client.get(project_url(project))
    assert detail.status_code == 200
    text = page(detail)
    assert "Audit trail" not in text
    assert "Change the project, its stage or dates" not in text
    assert "Add to the driver diagram" not in text
    assert f'href="{MFA_SETUP}"' in text  # told how to get the edit rights back
    measure_page = page(client.get(project_url(project, f"measures/{measure.pk}/")))
    assert "Add a data point" not in measure_page
    for path in ("edit/", "measures/new/", "pdsa/new/", f"measures/{measure.pk}/edit/"):
        response = client.get(project_url(project, path))
        assert (response.status_code, response.get("Location")) == (302, MFA_SETUP), path


def test_the_create_service_refuses_a_team_the_member_is_not_on(as_member, tess, other_team):
    with pytest.raises(ValidationError) as refused:
        as_member(
            tess,
            project_services.project_create,
            title="Fewer falls",
            aim="Halve falls by March.",
            team=other_team,
            wards=[],
            ideas=[],
        )
    assert refused.value.message_dict == {"team": ["Choose a team you are a member of."]}
    with scopes_disabled():
        assert not Project.objects.exists()


def test_the_idea_page_offers_triage_to_the_ideas_team_and_asks_nobody_elses_teams(
    client_for, tess, bob, share, team
):
    idea = share(tess, title="Discharge lounge opens at eight")
    assign(idea, team)
    url = f"{ORG}/ideas/{idea.pk}/"
    assert "Triage this idea" in page(client_for(tess).get(url))
    client = client_for(bob)  # staff on no team
    assert "Triage this idea" not in page(client.get(url))
    with CaptureQueriesContext(connection) as queries:
        assert "Triage this idea" not in page(client.get(url))
    assert not [q for q in queries.captured_queries if 'FROM "teams_team" ' in q["sql"]]
