"""Trigram matching of idea titles (pg_trgm), for likely duplicates: on PostgreSQL only.

`TrigramExtension` does nothing on SQLite, the zero-setup local default, where
`ideas.similarity` falls back to a simple match. pg_trgm is a trusted extension
(PostgreSQL 13+), so the tables' owner that runs `migrate` may create it. The GIN index
serves the `%` and `%>` operators `ideas.similarity.similar_ideas` filters with, as the
search index of migration 0002 serves full-text search.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = GinIndex(fields=["title"], opclasses=["gin_trgm_ops"], name="idea_title_trgm")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("ideas", "Idea"), INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("ideas", "Idea"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("ideas", "0011_triage_and_supported_order")]

    operations = [TrigramExtension(), migrations.RunPython(create, drop)]
