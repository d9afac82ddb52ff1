import pytest
from django.apps import apps
from django.core import mail
from django.core.management import CommandError, call_command
from django_scopes import ScopeError, scope, scopes_disabled

from organisations.models import Invitation, Organisation, Ward
from organisations.tasks import send_invitation_email_task


def tenant_models():
    return [
        model
        for model in apps.get_models()
        if any(
            getattr(field, "related_model", None) is Organisation
            and field.many_to_one
            and field.concrete
            for field in model._meta.get_fields()
        )
    ]


def test_tenant_models_are_found():
    assert {"Site", "Ward", "Membership", "Invitation", "SignupDomain"} <= {
        m.__name__ for m in tenant_models()
    }


@pytest.mark.django_db
@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m.__name__)
def test_every_model_with_an_organisation_has_a_scoped_manager(model):
    # An unscoped query must raise instead of returning rows of every organisation.
    with pytest.raises(ScopeError):
        list(model._default_manager.all())


@pytest.mark.django_db
def test_unscoped_query_on_a_tenant_model_raises(ward, organisation):
    with pytest.raises(ScopeError):
        Ward.objects.count()
    with scope(organisation=organisation):
        assert Ward.objects.count() == 1


@pytest.mark.django_db
def test_scope_only_shows_its_own_organisation(ward, other_ward, organisation):
    with scope(organisation=organisation):
        assert list(Ward.objects.all()) == [ward]


@pytest.mark.django_db
def test_organisation_task_runs_inside_the_organisations_scope(organisation):
    with scopes_disabled():
        invitation = Invitation.objects.create(
            organisation=organisation, email="new.starter@gmail.com", role="staff"
        )
    # The task body queries Invitation without disabling scopes: it works only
    # because OrganisationTask opened the organisation's scope.
    send_invitation_email_task.delay(
        organisation_id=organisation.pk, invitation_id=str(invitation.pk)
    )
    assert len(mail.outbox) == 1
    assert invitation.token in mail.outbox[0].body
    # Idempotent: a redelivered task sends nothing more.
    send_invitation_email_task.delay(
        organisation_id=organisation.pk, invitation_id=str(invitation.pk)
    )
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_organisation_task_cannot_reach_another_organisations_rows(
    organisation, other_organisation
):
    with scopes_disabled():
        invitation = Invitation.objects.create(
            organisation=other_organisation, email="new.starter@gmail.com", role="staff"
        )
    send_invitation_email_task.delay(
        organisation_id=organisation.pk, invitation_id=str(invitation.pk)
    )
    assert mail.outbox == []


@pytest.mark.django_db
def test_organisation_command_opens_the_scope_from_the_slug(
    organisation, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "invite", org=organisation.slug, email="first.admin@city.nhs.uk", role="org_admin"
        )
    with scope(organisation=organisation):
        invitation = Invitation.objects.get()
    assert invitation.role == "org_admin"
    assert len(mail.outbox) == 1
    assert "Invited first.admin@city.nhs.uk" in capsys.readouterr().out


@pytest.mark.django_db
def test_organisation_command_rejects_an_unknown_slug(organisation):
    with pytest.raises(CommandError, match="No organisation has the slug"):
        call_command("invite", org="nowhere", email="a@city.nhs.uk")


@pytest.mark.django_db
def test_invite_command_reports_a_malformed_email_clearly(organisation):
    with pytest.raises(CommandError, match="Enter an email address"):
        call_command("invite", org=organisation.slug, email="not-an-email")


def test_the_menus_team_check_rides_on_the_membership_lookup(client_for, bob, organisation):
    """Whether a member is on a team (the menu's Triage link) is read with their
    membership, not by a query of its own on every page; joining a team shows at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import membership
    from tests.factories import TeamFactory

    client = client_for(bob)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/city-hospitals/ideas/").content.decode()
    assert ">Triage<" not in page
    team_queries = [q for q in queries.captured_queries if '"teams_team_members"' in q["sql"]]
    assert len(team_queries) == 1 and '"organisations_membership"' in team_queries[0]["sql"]
    with scopes_disabled():
        TeamFactory(organisation=organisation).members.add(membership(bob, organisation))
    assert ">Triage<" in client.get("/city-hospitals/ideas/").content.decode()
