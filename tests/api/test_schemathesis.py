"""The served OpenAPI schema against the API itself: Schemathesis sends what the schema
allows (and what it does not) to every operation, as a member and as a QI lead with a
token, and every answer must be no server error and exactly what the schema says:
a documented status code, its content type, its body."""

import itertools
import uuid

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from django_scopes import scope
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ideas import services
from improvewell.wsgi import application
from tests.conftest import membership
from tests.isolation.test_routes import objects_of_other_organisation

# `https`: the app redirects plain http when DEBUG is off, as in production.
BASE_URL = "https://testserver"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The schema as /api/schema/ serves it, with the app behind it in-process (read while the
# tests are collected, before the test environment allows the test client's host).
with override_settings(ALLOWED_HOSTS=["testserver"]):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application, base_url=BASE_URL)


@pytest.fixture(autouse=True)
def _keep_the_tests_connection():
    """As Django's test client does: the app's WSGI handler would otherwise close the
    database connection after each request, and the test's transaction with it."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


def _caller(user, make_token, organisation, share, dana, categories, ward) -> dict:
    """A write token of `user`, and rows for the path: the organisation, an idea of
    another member's with a comment, and an anonymous idea of the caller's own, one row
    of every other kind a path names (a project with its measure, point, driver node and
    PDSA cycle, a team, a notification); and a category and a ward that exist, for new
    ideas. (The rate limits are the tests' generous ones, tests/conftest.py.)"""
    ideas = [share(dana, title="Night trolley"), share(user, anonymous=True, title="Quiet")]
    with scope(organisation=organisation):
        services.comment_add(
            member=membership(dana, organisation), idea=ideas[0], body="Yes, at night."
        )
    return {
        "headers": {"Authorization": f"Bearer {make_token(user, organisation)}"},
        "org": organisation.slug,
        "rows": {"category": categories["Efficiency and waste"].pk, "ward": ward.pk},
        "idea_ids": itertools.cycle([*(str(i.pk) for i in ideas), str(uuid.UUID(int=0))]),
        "ids": {
            name: itertools.cycle([pk, 0])
            for name, pk in objects_of_other_organisation(organisation).items()
            if name.endswith("_id") and isinstance(pk, int)
        },
    }


@pytest.fixture
def as_member(bob, make_token, organisation, share, dana, categories, ward):
    return _caller(bob, make_token, organisation, share, dana, categories, ward)


@pytest.fixture
def as_qi_lead(lena, make_token, organisation, share, dana, categories, ward):
    return _caller(lena, make_token, organisation, share, dana, categories, ward)


def _call_and_validate(case, caller):
    """Real path values: the token's organisation, and ideas that exist (and one that
    does not, for the 404), so that the cases get past tenancy to the endpoint; and
    real rows for the ids a new idea names, so that some are shared."""
    path = case.path_parameters or {}
    if "org" in path:
        path["org"] = caller["org"]
    if "idea_id" in path:
        path["idea_id"] = next(caller["idea_ids"])
    for name, ids in caller["ids"].items():
        if name in path:
            path[name] = next(ids)
    if isinstance(case.body, dict):
        for field, pk in caller["rows"].items():
            if isinstance(case.body.get(field), int):
                case.body[field] = pk
    case.call_and_validate(headers=caller["headers"], checks=CHECKS)


BOUNDED = settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@schema.parametrize()
@BOUNDED
def test_a_member_gets_what_the_schema_says(case, as_member):
    _call_and_validate(case, as_member)


@schema.parametrize()
@BOUNDED
def test_a_qi_lead_gets_what_the_schema_says(case, as_qi_lead):
    _call_and_validate(case, as_qi_lead)
