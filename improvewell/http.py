"""Small helpers every view uses for what comes back to the browser."""

import csv
from itertools import chain

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme

# Spreadsheets run a cell that starts with one of these as a formula (OWASP, "CSV
# injection"); tab and carriage return are included because Excel skips them first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` URL from the POST (or GET) if it stays on this site, else `default`.

    Refuses other hosts, scheme-relative `//host`, `/\\host` (browsers read `\\` as
    `/`) and `javascript:`: an open redirect lends our address to a phishing page.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # Only a path: anything else would be taken for a view name by redirect().
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def csv_cell(value):
    """One CSV cell that no spreadsheet runs as a formula (for streamed CSVs too)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(filename: str, header: list, rows) -> HttpResponse:
    """A CSV download; every CSV view goes through here so no cell runs as a formula.

    Numbers are written as they are (a negative number is data, not a formula); text
    starting with = + - @ tab or carriage return is prefixed with a quote.
    """
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in [header, *rows]:
        writer.writerow([csv_cell(value) for value in row])
    return response


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a stream."""

    def write(self, value):
        return value


def csv_streaming_response(filename: str, header: list, rows) -> StreamingHttpResponse:
    """`csv_response` for exports too large to build in memory: rows are written as the
    client reads them, with the same formula neutralisation."""
    writer = csv.writer(_Echo())
    lines = (writer.writerow([csv_cell(value) for value in row]) for row in chain([header], rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Liveness probes and static files are the same for everyone; leave their caching alone.
PUBLIC_PATHS = ("/healthz", "/readyz")


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every page for a signed-in person and on
    everything under /<org_slug>/, so that no shared proxy or browser cache keeps
    ideas, dashboards or CSV downloads for the next person at the computer.

    Sits below WhiteNoise, which answers static files before they get here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path in PUBLIC_PATHS:
            return response
        match = request.resolver_match
        under_organisation = match is not None and "org_slug" in match.kwargs
        user = getattr(request, "user", None)
        if under_organisation or (user is not None and user.is_authenticated):
            patch_cache_control(response, private=True, no_store=True)
        return response


def query_without_page(request) -> str:
    """The list's filters as a query string, for the pagination links to carry."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# SQLSTATE classes that mean "the database is not there right now", not "this query is
# wrong": 08 connection exception, 53 insufficient resources (too many connections),
# 57P operator intervention (shutting down, starting up, terminated by an administrator).
UNAVAILABLE_SQLSTATES = ("08", "53", "57P")


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error` says the database is down or the connection to it was lost.

    Django raises InterfaceError for a connection it already knows is closed, and
    OperationalError for the driver's errors; a few of its own paths (closing a
    server-side cursor) let the driver's error through unwrapped. Among those, a lost
    connection has no SQLSTATE (the client noticed) or one of the classes above (the
    server said so). A statement timeout or a deadlock is an OperationalError too, but
    not an outage.
    """
    driver = connection.Database
    if isinstance(error, (InterfaceError, driver.InterfaceError)):
        return True
    if isinstance(error, OperationalError):
        error = error.__cause__
    if not isinstance(error, driver.OperationalError):
        return False
    sqlstate = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return sqlstate is None or sqlstate.startswith(UNAVAILABLE_SQLSTATES)
