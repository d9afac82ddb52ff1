"""The organisation policies in the form PostgreSQL can estimate (see
`improvewell.rls.tenant_row_expression`): the same rows, better plans."""

from django.db import migrations

from improvewell.rls import POLICY, tenant_row_expression

BEFORE = (
    "organisation_id = nullif(current_setting('app.organisation_id', true), '')::bigint"
    " OR current_setting('app.all_organisations', true) = 'on'"
)


def _alter_policies(expression):
    def alter(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            # Link tables' policies (EXISTS on the parent row) stay as they are.
            cursor.execute(
                "SELECT tablename FROM pg_policies WHERE policyname = %s"
                " AND schemaname = current_schema() AND qual NOT LIKE %s ORDER BY tablename",
                [POLICY, "%EXISTS%"],
            )
            tables = [name for (name,) in cursor.fetchall()]
        for table in tables:
            schema_editor.execute(
                f"ALTER POLICY {POLICY} ON {schema_editor.quote_name(table)}"
                f" USING ({expression}) WITH CHECK ({expression})"
            )

    return alter


class Migration(migrations.Migration):
    dependencies = [
        ("improvewell", "0002_scheduled_run"),
        ("users", "0002_user_email_notifications"),
        ("organisations", "0002_initial"),
        ("audit", "0001_moved_to_projects_and_audit"),
        ("ideas", "0010_email_catch_up_schedule"),
        ("teams", "0003_moved_to_projects_and_audit"),
        ("projects", "0001_moved_to_projects_and_audit"),
        ("dashboards", "0005_staff_groups_on_daily_facts"),
    ]

    operations = [
        migrations.RunPython(
            _alter_policies(tenant_row_expression()), _alter_policies(BEFORE), elidable=False
        ),
    ]
