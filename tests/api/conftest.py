"""Fixtures for the API: tokens made through the service, clients that send them."""

import json
from datetime import timedelta

import pytest
from django.test import Client

from api import tokens
from organisations.models import Role
from tests.conftest import _member


@pytest.fixture
def dana(organisation, ward):
    """Staff member of City Hospitals who shares the ideas the others support."""
    return _member(organisation, "dana@city.nhs.uk", "Dana Nurse", Role.STAFF, ward)


@pytest.fixture
def make_token():
    def make(user, organisation, *, scope="write", days=30):
        _, raw = tokens.token_create(
            user=user,
            organisation_id=organisation.pk,
            name="Power BI",
            scope=scope,
            lifetime=timedelta(days=days),
        )
        return raw

    return make


class ApiClient:
    """Client(), speaking JSON, with a session or a token."""

    def __init__(self, *, user=None, token=None, enforce_csrf=False):
        self.client = Client(enforce_csrf_checks=enforce_csrf)
        if user is not None:
            self.client.force_login(user)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method, path, data=None, **headers):
        headers = {**self.headers, **headers}
        if data is None:
            return getattr(self.client, method)(path, headers=headers)
        body = json.dumps(data)
        return getattr(self.client, method)(
            path, body, content_type="application/json", headers=headers
        )

    def get(self, path, **kw):
        return self.request("get", path, **kw)

    def post(self, path, data=None, **kw):
        return self.request("post", path, data if data is not None else {}, **kw)

    def delete(self, path, **kw):
        return self.request("delete", path, **kw)


@pytest.fixture
def api_for():
    def make(user=None, *, token=None, enforce_csrf=False):
        return ApiClient(user=user, token=token, enforce_csrf=enforce_csrf)

    return make
