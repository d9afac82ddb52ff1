"""ETags on reads: a GET's answer carries a strong ETag, a hash of its JSON body, and a
GET whose `If-None-Match` names it gets `304 Not Modified` with no body.

The body is what this caller sees (`supported` is theirs), so an ETag is theirs too.
Django's ConditionalGetMiddleware does not help here: it leaves alone any response
with `Cache-Control: no-store`, which every signed-in answer carries
(improvewell.http.PrivateCacheMiddleware). A client that keeps its own copy (a
script, a reporting tool) still saves the transfer, and the server the rendering.
"""

import hashlib

from django.http import HttpResponseNotModified
from django.utils.http import parse_etags
from rest_framework.response import Response

READS = ("GET", "HEAD")


def etag_of(content: bytes) -> str:
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110's weak comparison, as If-None-Match asks: W/"x" matches "x"."""
    if not if_none_match:
        return False
    tags = [tag.removeprefix("W/") for tag in parse_etags(if_none_match)]
    return "*" in tags or etag in tags


def with_etag(request, response):
    """The read's response with its ETag, or a 304 if the caller has it already."""
    if request.method not in READS or response.status_code != 200:
        return response
    if not isinstance(response, Response):
        return response
    response.render()
    etag = etag_of(response.content)
    response["ETag"] = etag
    if not matches(request.headers.get("If-None-Match"), etag):
        return response
    not_modified = HttpResponseNotModified()
    for header in ("ETag", "Vary", "Cache-Control"):
        if header in response:
            not_modified[header] = response[header]
    return not_modified
