"""PostgreSQL row-level security: the second wall between organisations.

These tests run raw SQL as the test suite's database role, which (like the app's role
in production) owns no table and does not bypass row-level security, so what they
see is what PostgreSQL itself lets through, whatever the ORM would have filtered.
"""

import ast
import uuid
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from dashboards.models import DailyFact
from dashboards.tasks import rollup_organisation_day_task
from ideas.models import Idea
from improvewell.rls import cross_organisation, current_settings, tenant_scope, tenant_tables
from tests import factories
from tests.conftest import TEST_APP_ROLE, membership

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def rls(postgresql):
    """Only on PostgreSQL: SQLite, the local demo, has no row-level security."""


def count(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@pytest.fixture
def both_organisations(organisation, other_organisation, ward, other_ward, share, lena):
    """Rows in the main tenant tables of both organisations (link tables included)."""
    share(lena, title="Night trolley")
    for org, its_ward in ((organisation, ward), (other_organisation, other_ward)):
        with cross_organisation():
            user = factories.MembershipFactory(organisation=org, home_ward=its_ward).user
            factories.IdeaFactory(organisation=org, ward=its_ward, author=user)
            team = factories.TeamFactory(organisation=org)
            team.wards.add(its_ward)
            team.members.add(membership(user, org))
            factories.ProjectFactory(organisation=org, team=team).wards.add(its_ward)
            factories.InvitationFactory(organisation=org)
        with tenant_scope(org):
            from dashboards.rollup import rollup_day

            rollup_day(org, timezone.localdate())
    return organisation, other_organisation


def test_the_suite_runs_as_a_role_that_row_level_security_applies_to(rls):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolsuper, r.rolbypassrls, pg_has_role(current_user, t.tableowner, 'MEMBER')"
            " FROM pg_roles r, pg_tables t"
            " WHERE r.rolname = current_user AND t.tablename = 'ideas_idea'"
        )
        superuser, bypasses, owns = cursor.fetchone()
    assert (superuser, bypasses, owns) == (False, False, False)


def test_every_tenant_table_has_a_forced_organisation_policy(rls):
    """A new model with an organisation (or a link table of one) needs a policy migration."""
    tables = tenant_tables()
    assert "ideas_idea" in tables and "teams_team_members" in tables
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_policies p ON p.tablename = c.relname"
            " WHERE c.relrowsecurity AND c.relforcerowsecurity"
            " AND p.policyname = 'organisation_isolation' AND p.cmd = 'ALL'"
        )
        protected = {name for (name,) in cursor.fetchall()}
    assert sorted(set(tables) - protected) == []


def test_a_raw_select_with_no_organisation_set_returns_no_rows(rls, both_organisations):
    for table in tenant_tables():
        assert count(f'SELECT count(*) FROM "{table}"') == 0, table  # noqa: S608


def test_a_raw_select_with_an_organisation_set_returns_only_its_rows(rls, both_organisations):
    organisation, other = both_organisations
    with cross_organisation():
        everything = {t: count(f'SELECT count(*) FROM "{t}"') for t in tenant_tables()}  # noqa: S608
    with tenant_scope(organisation):
        for table, parent in tenant_tables().items():
            if parent is None:
                ours = f'SELECT count(*) FROM "{table}" WHERE organisation_id = %s'  # noqa: S608
                theirs = f'SELECT count(*) FROM "{table}" WHERE organisation_id <> %s'  # noqa: S608
                assert count(theirs, [organisation.pk]) == 0, table
                assert count(ours, [organisation.pk]) == count(f'SELECT count(*) FROM "{table}"')  # noqa: S608
            else:
                parent_table, column = parent
                sql = (
                    f'SELECT count(*) FROM "{table}" l JOIN "{parent_table}" p'  # noqa: S608
                    f' ON p.id = l."{column}" WHERE p.organisation_id <> %s'
                )
                assert count(sql, [organisation.pk]) == 0, table
    # Not vacuous: both organisations have rows in these, and the scope hides the other's.
    for table in (
        "organisations_ward",
        "organisations_membership",
        "organisations_invitation",
        "ideas_idea",
        "teams_team",
        "teams_team_wards",
        "teams_team_members",
        "teams_project",
        "teams_project_wards",
        "dashboards_dailyfact",
        "dashboards_rolluprun",
    ):
        with tenant_scope(organisation):
            ours = count(f'SELECT count(*) FROM "{table}"')  # noqa: S608
        with tenant_scope(other):
            theirs = count(f'SELECT count(*) FROM "{table}"')  # noqa: S608
        assert ours > 0 and theirs > 0 and ours + theirs == everything[table], table


def test_writing_a_row_of_another_organisation_is_refused(rls, organisation, other_organisation):
    insert = "INSERT INTO organisations_site (organisation_id, name) VALUES (%s, 'Annexe')"
    with tenant_scope(organisation):
        with (
            pytest.raises(DatabaseError, match="row-level security"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(insert, [other_organisation.pk])
        with connection.cursor() as cursor:
            cursor.execute(insert, [organisation.pk])
    with cross_organisation():
        assert count("SELECT count(*) FROM organisations_site WHERE name = 'Annexe'") == 1


def test_another_organisations_rows_cannot_be_changed_or_moved(rls, ward, other_ward, organisation):
    with tenant_scope(organisation), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE organisations_ward SET name = 'Taken' WHERE id = %s", [other_ward.pk]
        )
        assert cursor.rowcount == 0
        cursor.execute("DELETE FROM organisations_ward WHERE id = %s", [other_ward.pk])
        assert cursor.rowcount == 0
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            cursor.execute(
                "UPDATE organisations_ward SET organisation_id = %s WHERE id = %s",
                [other_ward.organisation_id, ward.pk],
            )
    with cross_organisation():
        assert count("SELECT count(*) FROM organisations_ward WHERE name = 'X'") == 0
        assert count("SELECT count(*) FROM organisations_ward") == 2


def test_a_rolled_back_savepoint_does_not_leave_the_wrong_organisation_set(
    rls, ward, other_ward, organisation
):
    """PostgreSQL undoes a setting with its savepoint; the backend must send it again."""
    with cross_organisation():
        assert count("SELECT count(*) FROM organisations_ward") == 2
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            with tenant_scope(organisation):
                assert count("SELECT count(*) FROM organisations_ward") == 1
            # Back to every organisation, then a failure rolls the savepoint back.
            assert count("SELECT count(*) FROM organisations_ward") == 2
            with tenant_scope(organisation):
                count("SELECT 1")
                1 / 0  # noqa: B018
        with tenant_scope(organisation):
            assert count("SELECT count(*) FROM organisations_ward") == 1
        assert count("SELECT count(*) FROM organisations_ward") == 2
    assert count("SELECT count(*) FROM organisations_ward") == 0


def test_an_error_inside_a_scope_inside_a_savepoint_leaves_the_transaction_usable(
    rls, ward, organisation
):
    """ROLLBACK TO SAVEPOINT follows an aborted statement: nothing may be sent before it."""
    duplicate = "INSERT INTO organisations_ward SELECT * FROM organisations_ward WHERE id = %s"
    with cross_organisation():
        with (
            pytest.raises(IntegrityError),
            transaction.atomic(),
            tenant_scope(organisation),
            connection.cursor() as cursor,
        ):
            cursor.execute(duplicate, [ward.pk])
        assert count("SELECT count(*) FROM organisations_ward") == 1


@pytest.mark.django_db(transaction=True)
def test_the_setting_ends_with_its_transaction_on_a_kept_connection(rls, ward, organisation):
    """Autocommit (as after a request, with CONN_MAX_AGE): nothing outlives the statement."""
    with tenant_scope(organisation):
        assert count("SELECT count(*) FROM organisations_ward") == 1
    assert current_settings() == ("", "")
    assert count("SELECT count(*) FROM organisations_ward") == 0


def test_a_request_leaves_no_organisation_set_behind(rls, client_for, bob, ward, organisation):
    response = client_for(bob).get("/city-hospitals/ideas/")
    assert response.status_code == 200
    assert current_settings() == ("", "")
    assert count("SELECT count(*) FROM organisations_ward") == 0


def test_the_roll_up_task_and_the_backfill_command_work_under_row_level_security(
    rls, organisation, other_organisation, share, lena
):
    share(lena)
    today = timezone.localdate()
    rollup_organisation_day_task.delay(organisation_id=organisation.pk, day=today.isoformat())
    call_command("rollup_metrics", start=str(date(2025, 1, 1)), end=str(date(2025, 1, 2)))
    with cross_organisation():
        assert DailyFact.objects.filter(organisation=organisation, day=today).exists()
        assert set(
            DailyFact.objects.filter(day=date(2025, 1, 1)).values_list("organisation_id", flat=True)
        ) == {organisation.pk, other_organisation.pk}


def test_the_platform_admin_sees_every_organisation(rls, client_for, ward, other_ward):
    with cross_organisation():
        admin = factories.UserFactory(email="root@improvewell.local", is_staff=True)
        admin.is_superuser = True
        admin.save()
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(admin, generate_totp_secret())
    response = client_for(admin).get("/admin/organisations/ward/")
    assert response.status_code == 200
    assert ward.name in response.content.decode()
    assert other_ward.name in response.content.decode()


def test_no_code_of_ours_opens_or_drops_a_scope_except_through_improvewell_rls():
    """`tenant_scope` and `cross_organisation` open both walls; bare django-scopes only one."""
    offenders = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", "bench", ".venv", "node_modules"}:
            continue
        if relative == Path("improvewell/rls.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django_scopes"):
                names = {alias.name for alias in node.names}
                if names & {"scope", "scopes_disabled"}:
                    offenders.append(str(relative))
    assert offenders == []


def test_granting_rights_to_a_role_that_bypasses_row_level_security_is_refused(rls):
    with pytest.raises(CommandError, match="bypasses row-level security"):
        call_command("grant_app_role", "postgres")
    with pytest.raises(CommandError, match="No database role"):
        call_command("grant_app_role", "nobody_at_all")


def _clone_ideas(idea, n):
    copies = []
    for _ in range(n):
        copy = Idea(**{f.attname: getattr(idea, f.attname) for f in Idea._meta.concrete_fields})
        copy.id = uuid.uuid4()
        copies.append(copy)
    Idea.objects.bulk_create(copies)


def _estimated_rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else plan
    return plan["Plan"]["Plan Rows"]


def test_the_planner_expects_an_organisations_rows_as_they_are(rls, organisation, ward):
    """The policy must not make PostgreSQL expect a handful of rows where there are
    thousands: it then sorts all of an organisation's ideas for a page of 20 instead of
    reading the index (improvewell.rls.tenant_row_expression)."""
    large = factories.OrganisationFactory()
    with cross_organisation():
        small_idea = factories.IdeaFactory(organisation=organisation, ward=ward)
        _clone_ideas(small_idea, 99)
        _clone_ideas(factories.IdeaFactory(organisation=large), 1999)
    with connection.cursor() as cursor:
        # Statistics are the owner's to gather; rolled back with the test.
        cursor.execute("RESET ROLE")
        cursor.execute("ANALYZE ideas_idea")
        cursor.execute(f"SET ROLE {TEST_APP_ROLE}")
    with tenant_scope(organisation):
        queryset = Idea.objects.filter(organisation=organisation)
        assert queryset.count() == 100
        sql, params = queryset.query.sql_with_params()
        estimate = _estimated_rows(sql, params)
    # Within a factor of 4 (it was 20 times too few before the policy was rewritten).
    assert 25 <= estimate <= 400
