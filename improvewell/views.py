import logging
import sys

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connections
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.services import record_refusal
from improvewell.http import database_unavailable
from organisations.selectors import is_platform_admin_only, memberships_of_user

logger = logging.getLogger(__name__)

# A restart or a failover takes seconds; browsers ignore it, clients and probes may not.
RETRY_AFTER_SECONDS = 10


def home(request):
    """Signed in: go to your organisation (or choose one). Signed out: the front door."""
    if not request.user.is_authenticated:
        return render(request, "home/welcome.html")
    memberships = memberships_of_user(request.user)
    if not memberships and is_platform_admin_only(request.user):
        return redirect("admin:index")
    if len(memberships) == 1:
        return redirect("organisations:home", org_slug=memberships[0].organisation.slug)
    return render(request, "home/choose_organisation.html", {"memberships": memberships})


@login_required
def account_settings(request):
    return render(
        request, "home/account_settings.html", {"memberships": memberships_of_user(request.user)}
    )


def accessibility(request):
    return render(request, "home/accessibility.html")


@never_cache
@require_GET
def healthz(request):
    """The process is alive. Touches nothing else."""
    return HttpResponse("ok", content_type="text/plain")


def _database_ready() -> str | None:
    try:
        for alias in connections:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"database: {exc.__class__.__name__}"
    return None


def _redis_ready() -> str | None:
    if not settings.REDIS_URL:
        return None
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        client.ping()
    except redis.RedisError as exc:
        return f"redis: {exc.__class__.__name__}"
    return None


@never_cache
@require_GET
def readyz(request):
    """Ready to serve: the database (and Redis, when configured) answer. 503 names what failed."""
    failures = [f for f in (_database_ready(), _redis_ready()) if f]
    status = 503 if failures else 200
    return JsonResponse(
        {"status": "fail" if failures else "ok", "failures": failures}, status=status
    )


def permission_denied(request, exception):
    """The 403 page; a member refused a page of their organisation is in its audit log.

    Django calls this for PermissionDenied from any view, service or the two-factor
    middleware, inside the tenant middleware's scope and transaction (a 403 commits).
    """
    record_refusal(request, str(exception)[:200])
    return defaults.permission_denied(request, exception)


def server_error(request):
    """The 500 page, or for a database that is down or lost (a restart, a failover) a
    503 saying to try again, with Retry-After.

    Django calls this for an exception from any view or middleware, the session and
    tenant ones included, still inside its `except` block. The page is rendered without
    a context, so it asks nothing of the database. Django's own log line (an error with
    the traceback and the request) is replaced by one warning without request data;
    Django drops the failed connection at the end of the request and the next request
    connects afresh (CONN_HEALTH_CHECKS), so the app recovers without a restart.
    """
    error = sys.exc_info()[1]
    if not database_unavailable(error):
        return defaults.server_error(request)
    # An outer middleware may meet the same outage again (the session, as it finishes
    # the response): one request, one line.
    if not getattr(request, "database_unavailable_logged", False):
        request.database_unavailable_logged = True
        cause = error.__cause__ or error
        reason = (str(cause).strip().splitlines() or [""])[0][:200]
        logger.warning("Database unavailable: %s %s", type(cause).__name__, reason)
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # django.request would log it again, as an error
    return response
