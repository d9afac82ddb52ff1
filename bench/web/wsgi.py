"""What gunicorn serves in the benchmark: the app unchanged, plus one bare Django view.

The bare view is the ceiling: Django's own request, URL resolving and response, with no
middleware and no database, served by the same workers as the app. Every other path goes
to `improvewell.wsgi.application` exactly as in production.
"""

from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse
from django.test.utils import override_settings
from django.urls import path

from improvewell.wsgi import application as app

from .env import BARE_PATH


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


# This module is the bare handler's URLconf.
urlpatterns = [path(BARE_PATH.lstrip("/"), bare)]


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
    if environ.get("PATH_INFO") == BARE_PATH:
        return bare_app(environ, start_response)
    return app(environ, start_response)
