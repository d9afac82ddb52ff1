"""Rows that every request reads, by one plain statement on PostgreSQL.

Built by the ORM, the lookups each request makes before its page (its session, its
person, its API token) cost several times what PostgreSQL takes to answer them. A plain
statement made once from the model's own fields, read into the model with `from_db`,
gives the same objects for a fraction of the work.
"""

from functools import cache

from django.db import connections


@cache
def columns(model, table_alias: str = "") -> tuple[list[str], str]:
    """The model's field names, as `from_db` takes them, and its columns for a SELECT
    (each prefixed with `table_alias.` if given)."""
    quote = connections["default"].ops.quote_name
    fields = model._meta.concrete_fields
    prefix = f"{table_alias}." if table_alias else ""
    selected = ", ".join(prefix + quote(field.column) for field in fields)
    return [field.attname for field in fields], selected


def table(model) -> str:
    return connections["default"].ops.quote_name(model._meta.db_table)
