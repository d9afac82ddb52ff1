import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connections
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from organisations.selectors import memberships_of_user


def home(request):
    """Signed in: go to your organisation (or choose one). Signed out: the front door."""
    if not request.user.is_authenticated:
        return render(request, "home/welcome.html")
    memberships = memberships_of_user(request.user)
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
