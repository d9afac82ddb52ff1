import os
from functools import lru_cache

import django
from django.core.handlers.wsgi import WSGIHandler
from django.urls import ResolverMatch, get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvewell.settings")


@lru_cache(maxsize=4096)
def _resolved(resolver, path: str):
    return resolver.resolve(path)


class Handler(WSGIHandler):
    """Django's WSGI handler, remembering where each path goes: resolving walks the URL
    patterns one by one on every request, and the answer for a path never changes while
    the process runs (the URLconf is the resolver's, part of the key). A path that
    resolves nowhere is not remembered. Each request gets its own copy of the match, so
    that nothing one request does to it reaches the next."""

    def resolve_request(self, request):
        if hasattr(request, "urlconf"):
            return super().resolve_request(request)
        kept = _resolved(get_resolver(), request.path_info)
        match = object.__new__(ResolverMatch)  # a match refuses copy.copy (it pickles)
        match.__dict__.update(kept.__dict__, kwargs=dict(kept.kwargs))
        request.resolver_match = match
        return match


django.setup(set_prefix=False)
application = Handler()
