"""Query plans: list pages whose rows carry many small related tables."""

from django.db import connection


def in_written_join_order(rows) -> list:
    """Evaluate `rows` (a queryset) with its joins planned in the order written.

    A page of ideas joins its ward, site, category, team, routing rule and author: with
    eight tables PostgreSQL tries every order it may (`join_collapse_limit`), and spent
    20 ms planning a triage inbox page that runs in under 1 ms. Each of those joins is a
    lookup by primary key from the page's own rows, so the written order (the ideas
    first, read from the index in the page's order) is already the plan it settles on.
    Inside the request's transaction the setting is local, and put back straight after.
    """
    if connection.vendor != "postgresql" or connection.get_autocommit():
        return list(rows)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL join_collapse_limit = 1")
        evaluated = list(rows)
        cursor.execute("SET LOCAL join_collapse_limit TO DEFAULT")
    return evaluated
