"""Each list page reads its first page from an index in its own order.

With the planner told to avoid sorting and sequential scans, the plan of the page's own
query names the index: a change of the order (or of the index) that would make the page
sort every idea of the organisation fails here, not at a million ideas in production.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from improvewell.rls import tenant_scope


def page_query(client, path, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params or {}).status_code == 200
    (sql,) = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "ideas_idea"."id"') and " ORDER BY " in q["sql"]
    ]
    return sql


def plan(organisation, sql):
    with tenant_scope(organisation), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM ideas_idea LIMIT 1")  # the organisation setting
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    ("who", "path", "params", "index"),
    [
        ("bob", "/city-hospitals/ideas/", {}, "idea_org_newest"),
        ("bob", "/city-hospitals/ideas/", {"sort": "supported"}, "idea_org_supported"),
        ("lena", "/city-hospitals/triage/", {}, "idea_org_triage_order"),
    ],
)
def test_a_list_page_reads_its_order_from_an_index(
    postgresql, request, client_for, organisation, share, bob, who, path, params, index
):
    share(bob, title="One idea")
    sql = page_query(client_for(request.getfixturevalue(who)), path, params)
    shown = plan(organisation, sql)
    assert index in shown and "Sort" not in shown, shown
