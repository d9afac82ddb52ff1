"""What gunicorn serves in the benchmark: the app unchanged, plus one bare Django view.

The bare view is the ceiling: Django's own request, URL resolving and response, with no
middleware and no database, served by the same workers as the app. Two more bare views
make one round trip first, to Redis or to PostgreSQL: under load, what a round trip in
the middle of a request costs the machine. Every other path goes to
`improvewell.wsgi.application` exactly as in production.
"""

from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpResponse
from django.test.utils import override_settings
from django.urls import path

from improvewell.wsgi import application as app

from .env import BARE_PATH, POSTGRESQL_TRIP_PATH, REDIS_TRIP_PATH


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


def after_redis(request):
    caches["pages"].get("bench-web-nothing-here")
    return bare(request)


def after_postgresql(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return bare(request)


# This module is the bare handlers' URLconf.
urlpatterns = [
    path(BARE_PATH.lstrip("/"), bare),
    path(REDIS_TRIP_PATH.lstrip("/"), after_redis),
    path(POSTGRESQL_TRIP_PATH.lstrip("/"), after_postgresql),
]
BARE_PATHS = {BARE_PATH, REDIS_TRIP_PATH, POSTGRESQL_TRIP_PATH}


class BareHandler(WSGIHandler):
    """Django's WSGI handler without middleware, resolving URLs with this module."""

    def load_middleware(self, is_async=False):
        with override_settings(MIDDLEWARE=[]):
            super().load_middleware(is_async)

    def get_response(self, request):
        request.urlconf = __name__
        return super().get_response(request)


bare_app = BareHandler()


def application(environ, start_response):
    if environ.get("PATH_INFO") in BARE_PATHS:
        return bare_app(environ, start_response)
    return app(environ, start_response)
