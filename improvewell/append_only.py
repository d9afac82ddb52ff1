"""Append-only tables: rows that nobody using the application can change or remove.

`AppendOnly("teams_auditevent")` in a migration adds a trigger that refuses every
UPDATE and DELETE on the table, whoever runs it (the app's role, the tables' owner, a
superuser short of dropping the trigger). `grant_app_role` also revokes UPDATE and
DELETE on these tables from the app's role, so the refusal comes twice. TRUNCATE is
not a row change and fires no such trigger: the app's role is never granted it in
deployment (only the test suite's role is, to empty tables between tests).
SQLite, the local demo, has neither triggers of this kind nor roles: nothing is done.
"""

from django.db.migrations.operations.base import Operation

TRIGGER = "append_only"
FUNCTION = "refuse_change_to_append_only_table"


def _function_sql() -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP\n"
        "    USING ERRCODE = 'insufficient_privilege';\n"
        "END\n"
        "$$"
    )


class AppendOnly(Operation):
    """Migration operation: refuse UPDATE and DELETE on one table (PostgreSQL only)."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str):
        self.table = table

    def deconstruct(self):
        return (self.__class__.__qualname__, [self.table], {})

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(self.table)
        # No parameters: the % of RAISE must reach PostgreSQL as it is.
        schema_editor.execute(_function_sql(), params=None)
        # Per statement: refused even when no row matches, so nothing probes it quietly.
        schema_editor.execute(
            f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
        # A role granted these rights before (the app's role of a running deployment)
        # loses them now, not at the next `grant_app_role`.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT grantee FROM information_schema.role_table_grants "
                "WHERE table_name = %s AND privilege_type IN ('UPDATE', 'DELETE') "
                "AND grantee <> (SELECT tableowner FROM pg_tables WHERE tablename = %s)",
                [self.table, self.table],
            )
            grantees = [row[0] for row in cursor.fetchall()]
        for grantee in grantees:
            role = "PUBLIC" if grantee == "PUBLIC" else schema_editor.quote_name(grantee)
            schema_editor.execute(f"REVOKE UPDATE, DELETE ON {table} FROM {role}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = schema_editor.quote_name(self.table)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")

    def describe(self):
        return f"Refuse UPDATE and DELETE on {self.table}"


def append_only_tables(cursor) -> list[str]:
    """The tables that carry the trigger, as the database says (not as the code thinks)."""
    cursor.execute(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = %s AND NOT t.tgisinternal ORDER BY c.relname",
        [TRIGGER],
    )
    return [row[0] for row in cursor.fetchall()]
