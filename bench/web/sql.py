"""The statements a page runs: their time, and the plan of the slowest one."""

import re
import time
from collections import defaultdict

from django.db import connection, transaction

from . import env

SQL_TEXT = 300
_COLUMNS = re.compile(r"^SELECT .*? FROM ", re.S)
_JOIN = re.compile(r' (?:LEFT OUTER |INNER )?JOIN ("[^"]+"(?: T\d+)?) ON \([^)]*\)')


def compact(sql: str) -> str:
    """One line, without the selected columns and join conditions: what is read, from
    where, in what order."""
    short = _COLUMNS.sub("SELECT ... FROM ", " ".join(sql.split()), count=1)
    return _JOIN.sub(r" JOIN \1", short)[:SQL_TEXT]


class StatementClock:
    """An execute wrapper: time in the driver per SQL text, and each text's parameters from
    its slowest run (to explain it)."""

    def __init__(self):
        self.total = 0.0
        self.by_text = defaultdict(lambda: [0, 0.0, 0.0, None])

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            took = time.perf_counter() - started
            self.total += took
            entry = self.by_text[sql]
            entry[0] += 1
            entry[1] += took
            if took > entry[2] and not many:
                entry[2], entry[3] = took, params

    def top(self, n: int, *, requests: int) -> list:
        """[statement, runs a request, ms a request], the most time first."""
        ranked = sorted(self.by_text.items(), key=lambda item: -item[1][1])[:n]
        return [[compact(sql), e[0] / requests, 1000 * e[1] / requests] for sql, e in ranked]

    def slowest_select(self) -> tuple[str, object]:
        """The SELECT that took the most time in all, with its slowest run's parameters."""
        selects = [(e[1], sql, e[3]) for sql, e in self.by_text.items() if _is_select(sql)]
        if not selects:
            return "", None
        _total, sql, params = max(selects, key=lambda s: s[0])
        return sql, params


def _is_select(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT")


def _plan(sql: str, params, organisation_id: int) -> dict:
    # Rolled back: EXPLAIN ANALYZE runs the statement. The organisation is set as the
    # tenancy middleware sets it (improvewell/rls.py), for the row-level security policy.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.organisation_id', %s, true)", [str(organisation_id)])
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
        transaction.set_rollback(True)
    plan = plan[0] if isinstance(plan, list) else plan
    return {
        "ms": plan["Execution Time"],
        "node": plan["Plan"]["Node Type"],
        "estimated_rows": plan["Plan"]["Plan Rows"],
        "rows": plan["Plan"]["Actual Rows"],
    }


def explain(sql: str, params, organisation_id: int) -> dict:
    """The statement's plan as the app's role (row-level security applies) and as the
    benchmark's superuser (it does not): what the policy costs this statement."""
    try:
        env.use_owner()
        without = _plan(sql, params, organisation_id)
        env.use_app_role()
        return {"app role": _plan(sql, params, organisation_id), "superuser": without}
    finally:
        env.use_app_role()
