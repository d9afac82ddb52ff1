"""The WSGI handler gunicorn serves remembers where each path goes (improvewell.wsgi):
the same answers as Django's own resolving, and each request its own copy of the match."""

from wsgiref.util import setup_testing_defaults

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from improvewell.wsgi import Handler, application


def status_of(path: str, cookie: str = "") -> str:
    environ = {"PATH_INFO": path, "HTTP_X_FORWARDED_PROTO": "https"}
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    setup_testing_defaults(environ)
    answered = []
    # As Django's test client does: the test's connection holds its transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        respond = application(
            environ, lambda status, headers, exc_info=None: answered.append(status)
        )
        b"".join(respond)
        respond.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answered[0]


@pytest.mark.usefixtures("postgresql")
def test_paths_answer_as_before_when_asked_again(client_for, bob):
    cookie = f"sessionid={client_for(bob).cookies['sessionid'].value}"
    for _ in range(2):
        assert status_of("/healthz").startswith("200")
        assert status_of("/city-hospitals/ideas/").startswith("302")  # to sign in
        assert status_of("/city-hospitals/ideas/", cookie).startswith("200")
        assert status_of("/no-such-organisation/ideas/", cookie).startswith("404")
        assert status_of("/nowhere/at/all/").startswith("404")


def test_each_request_gets_its_own_copy_of_the_match():
    handler = Handler()
    first = handler.resolve_request(RequestFactory().get("/city-hospitals/ideas/"))
    first.kwargs["org_slug"] = "someone-else"
    again = RequestFactory().get("/city-hospitals/ideas/")
    second = handler.resolve_request(again)
    assert second.kwargs == {"org_slug": "city-hospitals"}
    assert again.resolver_match is second and second.func is first.func
