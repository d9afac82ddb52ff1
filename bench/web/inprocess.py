"""In-process measurements: each page's queries, its time, and where the time goes.

The requests go through Django's test client against the benchmark's database, with the
production settings and as the app's database role, signed in with the same sessions and
form tokens the load tool uses (CSRF checks on). Four passes per page:

- query counts, one request at a time (CaptureQueriesContext), a few requests;
- wall time without a profiler, the time inside the database driver (execute_wrapper), the
  statements that take longest, and the plan of the slowest (as the app's role, with
  row-level security, and as the superuser, without);
- N requests under cProfile: the top functions, and the share of the profiled time in
  template rendering, form and widget rendering, middleware, session and user lookups,
  and the database driver. The profiler slows Python code but not the database's own
  work, so under it the Python shares come out larger than they are;
- N requests with each template's renders and time counted (no profiler).
"""

import cProfile
import pstats
import statistics
import sysconfig
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, reset_queries
from django.template.base import Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from .pages import Page, form_data, people
from .seed import PROXY_HEADERS, Fixture, log
from .sql import StatementClock, compact, explain

QUERY_SAMPLES = 5
ROOT = str(Path(__file__).resolve().parents[2]) + "/"
STDLIB = sysconfig.get_paths()["stdlib"] + "/"

# (file name ending, function name): a function whose cumulative time is one category.
# cProfile counts a function's cumulative time once however deeply it recurses.
CATEGORIES = {
    "templates": [("django/template/backends/django.py", "render")],
    "forms and widgets": [("django/forms/renderers.py", "render")],
    "session, user and membership": [
        ("django/contrib/auth/__init__.py", "get_user"),
        ("django/contrib/sessions/backends/db.py", "save"),
        ("organisations/selectors.py", "membership_for_request"),
    ],
    "SQL (database driver)": [
        ("psycopg/cursor.py", "execute"),
        ("psycopg/cursor.py", "fetchone"),
        ("psycopg/cursor.py", "fetchmany"),
        ("psycopg/cursor.py", "fetchall"),
    ],
}
HANDLER = ("django/core/handlers/base.py", "get_response")


class Requester:
    """Requests of one page, made as the load tool makes them, person by person in turn.

    One client for all: each new client would load the middleware again (WhiteNoise scans
    the static files then), which no request of a running server pays.
    """

    def __init__(self, page: Page, fixture: Fixture):
        self.page = page
        self.fixture = fixture
        self.people = people(page, fixture)
        origin = {"Origin": f"https://{PROXY_HEADERS['Host']}"}
        self.client = Client(enforce_csrf_checks=True, headers=PROXY_HEADERS | origin)
        self.n = 0

    def path(self, n: int) -> str:
        return self.page.paths[n % len(self.page.paths)]

    def __call__(self):
        self.n += 1
        person = self.people[self.n % len(self.people)]
        self.client.cookies.clear()
        path = self.path(self.n)
        if self.page.auth == "token":
            return self._check(
                path, self.client.get(path, headers={"Authorization": f"Bearer {person.token}"})
            )
        self.client.cookies["sessionid"] = person.session
        self.client.cookies["csrftoken"] = person.csrf_cookie
        if self.page.kind == "get":
            response = self.client.get(path)
        else:
            data = form_data(self.page, person, self.fixture, self.n)
            response = self.client.post(path, data)
        return self._check(path, response)

    def _check(self, path: str, response):
        if response.status_code != self.page.expect:
            raise SystemExit(f"{self.page.name}: {path} answered {response.status_code}")
        return response


def query_counts(requester: Requester) -> list[int]:
    requester()  # warm: the first request of a page fills caches
    counts = []
    for _ in range(QUERY_SAMPLES):
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            requester()
        counts.append(len(queries.captured_queries))
    return counts


def timing(requester: Requester, n: int, *, top: int = 4) -> tuple[dict, StatementClock]:
    """Wall time per request without a profiler, the part spent in the driver, and the
    statements that took longest (the same SQL text with other parameters counts as one)."""
    clock = StatementClock()
    runs = []
    with connection.execute_wrapper(clock):
        for _ in range(n):
            started = time.perf_counter()
            requester()
            runs.append(time.perf_counter() - started)
    result = {
        "ms_median": 1000 * statistics.median(runs),
        "ms_mean": 1000 * statistics.mean(runs),
        "sql_ms_mean": 1000 * clock.total / n,
        "slowest_sql": clock.top(top, requests=n),
    }
    return result, clock


@contextmanager
def template_clock():
    """Each template's renders and cumulative time (an included template counts in its
    includer's time too; form and widget templates are templates as well)."""
    original = Template._render
    clock = defaultdict(lambda: [0, 0.0])

    def _render(self, context):
        started = time.perf_counter()
        try:
            return original(self, context)
        finally:
            entry = clock[self.origin.template_name or self.name]
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    Template._render = _render
    try:
        yield clock
    finally:
        Template._render = original


def templates(requester: Requester, n: int, *, top: int) -> list:
    """[template, renders a request, ms a request], the slowest first."""
    with template_clock() as clock:
        for _ in range(n):
            requester()
    slowest = sorted(clock.items(), key=lambda item: -item[1][1])[:top]
    return [[name, count / n, 1000 * seconds / n] for name, (count, seconds) in slowest]


def _name(key: tuple) -> str:
    filename, line, function = key
    for marker in ("site-packages/", ROOT, STDLIB):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
    return f"{filename}:{line}({function})" if line else function


def _cumulative(stats: dict, wanted: list[tuple[str, str]]) -> float:
    return sum(
        ct
        for (filename, _line, function), (_cc, _nc, _tt, ct, _callers) in stats.items()
        if any(filename.endswith(end) and function == name for end, name in wanted)
    )


def _is_app_code(filename: str) -> bool:
    return filename.startswith(ROOT) and "/.venv/" not in filename and "/bench/" not in filename


def _view_key(path: str) -> tuple:
    code = resolve(path).func.__code__
    return (code.co_filename, code.co_firstlineno, code.co_name)


def profiled(requester: Requester, n: int, *, top: int) -> dict:
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(n):
        requester()
    profiler.disable()
    total = time.perf_counter() - started
    stats = pstats.Stats(profiler).stats
    shares = {name: _cumulative(stats, wanted) / total for name, wanted in CATEGORIES.items()}
    view = stats.get(_view_key(requester.path(0)), (0, 0, 0, 0))[3]
    shares["middleware (all but the view)"] = (_cumulative(stats, [HANDLER]) - view) / total
    shares["the view"] = view / total
    rows = [(key, tt, ct) for key, (_cc, _nc, tt, ct, _callers) in stats.items()]
    # Django's own frames (handler, middleware chain, template and ORM plumbing) would fill
    # the cumulative list; the categories above cover them. The list is the app's code,
    # but for the middleware's __call__ (around every view: ~100%).
    own_code = [r for r in rows if _is_app_code(r[0][0]) and r[0][2] != "__call__"]
    by_cumulative = sorted(own_code, key=lambda r: -r[2])[:top]
    by_own = sorted(rows, key=lambda r: -r[1])[:top]
    return {
        "ms_per_request": 1000 * total / n,
        "shares": shares,
        "top_cumulative": [[_name(k), 1000 * ct / n, ct / total] for k, _tt, ct in by_cumulative],
        "top_own": [[_name(k), 1000 * tt / n, tt / total] for k, tt, _ct in by_own],
    }


def measure(pages: list[Page], fixture: Fixture, *, requests: int, top: int) -> dict:
    results = {}
    slowest = []
    for page in pages:
        if not page.app:
            continue
        requester = Requester(page, fixture)
        counts = query_counts(requester)
        timed, clock = timing(requester, requests)
        result = {"queries": counts} | timed
        result["templates"] = templates(requester, requests, top=top)
        result["profile"] = profiled(requester, requests, top=top)
        log(
            f"  {page.name}: {result['ms_median']:.1f} ms in-process, queries {counts}, "
            f"{result['sql_ms_mean']:.1f} ms in the driver"
        )
        results[page.name] = result
        slowest.append((page.name, *clock.slowest_select()))
    # After the pages: each plan switches the connection's role and back.
    for name, sql, params in slowest:
        if sql:
            results[name]["slowest_plan"] = {"sql": compact(sql)} | explain(
                sql, params, fixture.organisation.pk
            )
    return results
