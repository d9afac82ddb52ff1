"""Row-level security: PostgreSQL's own wall between organisations, behind django-scopes.

django-scopes stops an unscoped ORM query in Python. This module makes PostgreSQL
refuse the rows of other organisations as well, so that what the ORM cannot see
(raw SQL, joins into another tenant table, forward foreign keys read through the
base manager, COPY, a bug in a queryset) still sees only the current organisation.

How the two walls move together
-------------------------------
Every tenant table has ROW LEVEL SECURITY enabled and forced, and one policy
(`organisation_isolation`, created by `OrganisationPolicy` in a migration) that
admits a row when

    organisation_id = current_setting('app.organisation_id')     -- one organisation
    or current_setting('app.all_organisations') = 'on'          -- the reviewed escape hatch

Link tables without an organisation column (the many-to-many tables of teams and
projects) admit a row when its parent row is visible, so they follow their parent.

The two settings are derived from the django-scopes state of the running code, by
`apply_to_statement`, which the PostgreSQL backend (`improvewell.postgresql`) runs
before every statement:

    scope(organisation=X)      ->  app.organisation_id = X.pk     (`tenant_scope`)
    scopes_disabled()          ->  app.all_organisations = on     (`cross_organisation`)
    no scope at all            ->  neither: every tenant table looks empty

So wherever the tenancy middleware, `OrganisationTask` or `OrganisationCommand` open a
scope, the database follows; wherever the code deliberately works across
organisations (the platform admin, sign-in's membership lookup, invitations, the demo
seed), it says so with `cross_organisation()`, the one path that opens both walls. No
code of ours calls django-scopes' `scope`/`scopes_disabled` directly (a test checks).

Per transaction, never per session
----------------------------------
The settings are only ever set with `set_config(…, is_local => true)`, so they end with
the transaction that set them: a pooled or persistent connection (CONN_MAX_AGE,
PgBouncer in transaction mode) never carries one request's organisation into the next,
and a connection outside a transaction always sees no tenant rows. Inside a
transaction, the value is sent once and again only when the scope changes (the backend
forgets what it sent at every commit, rollback and savepoint rollback, when PostgreSQL
undoes it too), in the same round trip as the statement it precedes where the driver
allows (improvewell.postgresql). A statement run in autocommit mode inside a scope is
wrapped in a short transaction of its own; the tenancy middleware runs each
organisation's request in one transaction (like ATOMIC_REQUESTS), so a request pays for
the setting once.
We chose this over a session-level SET with a reset in `finally`: a reset that is
skipped (a killed worker thread, a pooler handing the connection to someone else)
would leak an organisation, while a transaction-local setting cannot outlive its
transaction.

The database role
-----------------
The owner of a table and superusers bypass row-level security (FORCE makes it apply to
the owner, but not to superusers or roles with BYPASSRLS). The app therefore connects
as a role that owns nothing and has neither SUPERUSER nor BYPASSRLS; migrations run as
the owner. `grant_app_role` (and `manage.py grant_app_role`) gives that role exactly
the rights it needs. The test suite runs as such a role too (tests/conftest.py).

SQLite, the local demo, has no row-level security: there this module does nothing.
"""

import re
from contextlib import contextmanager

from django.db import connections
from django.db.migrations.operations.base import Operation
from django_scopes import scope, scopes_disabled
from django_scopes.state import get_scope

from .append_only import append_only_tables

ORGANISATION_SETTING = "app.organisation_id"
ALL_ORGANISATIONS_SETTING = "app.all_organisations"
POLICY = "organisation_isolation"

# (app.organisation_id, app.all_organisations) for each django-scopes state.
NO_ORGANISATION = ("", "")
ALL_ORGANISATIONS = ("", "on")


@contextmanager
def tenant_scope(organisation):
    """Work inside one organisation: django-scopes and PostgreSQL both see only it."""
    with scope(organisation=organisation):
        yield


@contextmanager
def cross_organisation():
    """THE reviewed escape hatch: work across every organisation, in both walls.

    Use it only where no single organisation can be known or the work is for the
    platform as a whole: the platform admin, sign-in and invitation lookups that
    find the organisation, the demo seed. Every use is a place a reviewer reads.
    """
    with scopes_disabled():
        yield


def wanted_settings() -> tuple[str, str]:
    """The (organisation id, all organisations) settings for the current scope."""
    current = get_scope()
    if not current.get("_enabled", True):
        return ALL_ORGANISATIONS
    organisation = current.get("organisation")
    if organisation is None:
        return NO_ORGANISATION
    if isinstance(organisation, list | tuple | set | frozenset):
        # django-scopes allows several values; one organisation is the only use we
        # have, and anything else is refused rather than widened.
        if len(organisation) != 1:
            return NO_ORGANISATION
        (organisation,) = organisation
    return (str(getattr(organisation, "pk", organisation)), "")


SETTINGS_SQL = "SELECT set_config(%s, %s, true), set_config(%s, %s, true)"


def settings_params(settings: tuple[str, str]) -> list[str]:
    return [ORGANISATION_SETTING, settings[0], ALL_ORGANISATIONS_SETTING, settings[1]]


def send(connection, settings: tuple[str, str]) -> None:
    """Set them with a statement of their own (where they cannot go with the statement
    they precede: see improvewell.postgresql)."""
    # A plain cursor of the driver: not logged as a query of the code under test, and
    # not a server-side cursor even when the statement it precedes is one. Its errors
    # are Django's, as any query's: a lost connection is then a 503 and is dropped at
    # the end of the request (improvewell.views.server_error).
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        cursor.execute(SETTINGS_SQL, settings_params(settings))
    connection.rls_sent = settings


def apply_to_statement(execute, sql, params, many, context):
    """Execute wrapper: make the transaction's settings match the scope, then run."""
    connection = context["connection"]
    if connection.needs_rollback or not _is_dml(sql):
        # Only rows are filtered. Other statements (SAVEPOINT and ROLLBACK TO, which
        # may follow an error that aborted the transaction; DDL; CREATE DATABASE, which
        # must not run in a transaction) go as they are, and so does any statement of
        # a broken transaction, for Django to raise its own error.
        return execute(sql, params, many, context)
    wanted = wanted_settings()
    if not connection.get_autocommit():
        # A new transaction starts with nothing set (NO_ORGANISATION): see the backend,
        # which sends what is pending in the same round trip as the statement itself.
        connection.rls_pending = wanted if connection.rls_sent != wanted else None
        return execute(sql, params, many, context)
    if wanted == NO_ORGANISATION:
        # Outside a transaction nothing is ever set: tenant tables look empty.
        return execute(sql, params, many, context)
    # A statement in autocommit mode gets a transaction of its own for the setting.
    connection.set_autocommit(False)
    try:
        connection.rls_pending = wanted
        result = execute(sql, params, many, context)
        connection.commit()
        return result
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.set_autocommit(True)


DML = re.compile(r"\s*(SELECT|INSERT|UPDATE|DELETE|WITH|MERGE)\b", re.IGNORECASE)


def _is_dml(sql) -> bool:
    return isinstance(sql, str) and DML.match(sql) is not None


def current_settings(using: str = "default") -> tuple[str, str]:
    """What PostgreSQL sees now (for tests and diagnostics)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(current_setting(%s, true), ''), "
            "coalesce(current_setting(%s, true), '')",
            [ORGANISATION_SETTING, ALL_ORGANISATIONS_SETTING],
        )
        return tuple(cursor.fetchone())


def tenant_row_expression() -> str:
    """The policy of a table with an organisation column.

    The escape hatch's test is written as a CASE on purpose. PostgreSQL estimates
    `setting = 'on'` to hold for 0.5% of rows, and multiplies that into the estimate of
    every query's own `organisation_id = X`: it then expected a handful of an
    organisation's 20,000 ideas, and sorted them all where it should have walked the
    (organisation, created_at) index and stopped at the first page (63 ms instead of
    0.4 ms for the board at 300k ideas). A CASE it cannot look into counts as a coin toss
    (0.5), so the estimate stays within a factor of two. Same rows either way;
    tests/improvewell/test_rls.py checks the estimate.
    """
    return (
        f"organisation_id = nullif(current_setting('{ORGANISATION_SETTING}', true), '')::bigint"
        f" OR CASE WHEN current_setting('{ALL_ORGANISATIONS_SETTING}', true) = 'on'"
        " THEN true ELSE false END"
    )


def policy_expression(*, parent_table: str | None = None, parent_column: str | None = None):
    """The USING / WITH CHECK expression of a tenant table's policy."""
    if parent_table is None:
        return tenant_row_expression()
    # The parent table's own policy decides: a link row is visible with its parent.
    # Table and column names come from migrations, never from input.
    return f'EXISTS (SELECT 1 FROM "{parent_table}" p WHERE p.id = "{parent_column}")'  # noqa: S608


class OrganisationPolicy(Operation):
    """Migration operation: row-level security on one tenant table (PostgreSQL only).

    `OrganisationPolicy("ideas_idea")` for a table with an organisation_id column;
    `OrganisationPolicy("teams_team_wards", parent=("teams_team", "team_id"))` for a
    link table whose rows belong to the organisation of their parent row.
    """

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str, parent: tuple[str, str] | None = None):
        self.table = table
        self.parent = tuple(parent) if parent else None

    def deconstruct(self):
        kwargs = {"parent": self.parent} if self.parent else {}
        return (self.__class__.__qualname__, [self.table], kwargs)

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        parent_table, parent_column = self.parent or (None, None)
        expression = policy_expression(parent_table=parent_table, parent_column=parent_column)
        table = schema_editor.quote_name(self.table)
        schema_editor.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        schema_editor.execute(
            f"CREATE POLICY {POLICY} ON {table} USING ({expression}) WITH CHECK ({expression})"
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(self.table)
        schema_editor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
        schema_editor.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        schema_editor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")

    def describe(self):
        return f"Row-level security by organisation on {self.table}"


def tenant_tables() -> dict[str, tuple[str, str] | None]:
    """Every table that must carry a policy: {table: None or (parent table, column)}.

    A model with an `organisation` foreign key is a tenant table; the auto-created
    many-to-many table of a tenant model belongs to the organisation of its owner.
    """
    from django.apps import apps

    # Looked up, not imported: this kernel module sits below every app.
    Organisation = apps.get_model("organisations", "Organisation")
    tables: dict[str, tuple[str, str] | None] = {}
    for model in apps.get_models():
        field = next((f for f in model._meta.fields if f.name == "organisation"), None)
        if field is None or field.related_model is not Organisation:
            continue
        tables[model._meta.db_table] = None
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through._meta.auto_created:
                tables[through._meta.db_table] = (
                    model._meta.db_table,
                    m2m.m2m_column_name(),
                )
    return tables


def grant_app_role(connection, role: str, *, truncate: bool = False) -> None:
    """Give the app's role what it needs and no more: rows, not tables, and no change
    to an append-only table's rows (improvewell/append_only.py).

    Run as the owner of the tables, after `migrate`. Default privileges cover the
    tables that later migrations create. `truncate` is for the test suite only, whose
    transactional tests empty every table between tests.
    """
    quoted = connection.ops.quote_name(role)
    rights = "SELECT, INSERT, UPDATE, DELETE" + (", TRUNCATE" if truncate else "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            raise ValueError(f"No database role is called {role}: create it first.")
        if row[0]:
            raise ValueError(f"{role} bypasses row-level security: use a role without it.")
        for statement in (
            f"GRANT USAGE ON SCHEMA public TO {quoted}",
            f"GRANT {rights} ON ALL TABLES IN SCHEMA public TO {quoted}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {rights} ON TABLES TO {quoted}",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public"
            f" GRANT USAGE, SELECT ON SEQUENCES TO {quoted}",
        ):
            cursor.execute(statement)
        # The audit log and any other append-only table: rows are added, never changed.
        for table in append_only_tables(cursor):
            table = connection.ops.quote_name(table)
            cursor.execute(f"REVOKE UPDATE, DELETE ON {table} FROM {quoted}")
