"""Nobody using the application can change or delete an entry: the app's role is not
granted UPDATE or DELETE on the table, and a trigger refuses them whatever the role."""

import pytest
from django.db import DatabaseError, connection, transaction
from django_scopes import scope, scopes_disabled

from audit.models import AuditEvent
from audit.services import record
from tests.conftest import membership

from .conftest import entries


@pytest.fixture
def entry(postgresql, alice, organisation):
    with scope(organisation=organisation):
        return record(membership(alice, organisation), "added webhook endpoint", after={"a": 1})


def _refused(run):
    with pytest.raises(DatabaseError) as refused, transaction.atomic():
        run()
    return str(refused.value)


def test_the_orm_cannot_update_or_delete_an_entry(entry, organisation):
    with scope(organisation=organisation):
        entry.action = "nothing happened"
        _refused(lambda: entry.save())
        _refused(lambda: AuditEvent.objects.filter(pk=entry.pk).update(after={}))
        _refused(lambda: AuditEvent.objects.filter(pk=entry.pk).delete())
        _refused(lambda: AuditEvent.objects.get(pk=entry.pk).delete())
    (kept,) = entries()
    assert (kept.action, kept.after) == ("added webhook endpoint", {"a": 1})


def _sql(statement, params=()):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    return run


def test_raw_sql_cannot_update_or_delete_an_entry(entry):
    with scopes_disabled():
        update = _refused(
            _sql("UPDATE teams_auditevent SET action = 'x' WHERE id = %s", [entry.pk])
        )
        delete = _refused(_sql("DELETE FROM teams_auditevent WHERE id = %s", [entry.pk]))
    # The app's role is refused by its grants before the trigger is reached.
    assert "permission denied" in update and "permission denied" in delete
    assert len(entries()) == 1


def test_the_app_role_holds_no_update_or_delete_right_on_the_log(postgresql):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(current_user, 'teams_auditevent', 'INSERT'),"
            " has_table_privilege(current_user, 'teams_auditevent', 'UPDATE'),"
            " has_table_privilege(current_user, 'teams_auditevent', 'DELETE')"
        )
        assert cursor.fetchone() == (True, False, False)


def test_the_trigger_refuses_even_the_tables_owner(entry):
    """As the session's own (superuser) role, past every grant: the trigger still says no."""

    def as_owner(statement):
        def run():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL ROLE NONE")
                cursor.execute("SELECT set_config('app.all_organisations', 'on', true)")
                cursor.execute(statement, [entry.pk])

        return run

    with scopes_disabled():
        assert "append-only" in _refused(
            as_owner("UPDATE teams_auditevent SET action = 'x' WHERE id = %s")
        )
        assert "append-only" in _refused(as_owner("DELETE FROM teams_auditevent WHERE id = %s"))
        # Per statement: refused even when no row matches.
        assert "append-only" in _refused(as_owner("DELETE FROM teams_auditevent WHERE id = -%s"))
    assert len(entries()) == 1


def test_deleting_a_project_leaves_its_entries_as_they_were(
    postgresql, alice, organisation, project
):
    from projects.models import Project

    with scope(organisation=organisation):
        record(membership(alice, organisation), "posted an update", project=project)
    with scopes_disabled():
        Project.objects.filter(pk=project.pk).delete()
    (kept,) = entries()
    assert kept.project_id == project.pk
