"""Trigram indexes for the staff list's search by name or email, on PostgreSQL only.

Django's `icontains` compares `UPPER(column::text)`, so the indexes are on that very
expression; without them the search reads every person of every organisation (a
sequential scan that grows with the whole deployment, not with the trust). SQLite,
the zero-setup local default, keeps the plain scan.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

COLUMNS = ("email", "name")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS user_{column}_upper_trgm ON users_user "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS user_{column}_upper_trgm")


class Migration(migrations.Migration):
    dependencies = [("users", "0002_user_email_notifications")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
