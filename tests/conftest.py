"""Shared fixtures: two organisations and a person per role in each.

Fixtures are created with scopes disabled (as in pretix's test suite); the code under
test runs with scopes enabled, exactly as in production, so a forgotten tenant filter
fails a test.
"""

import os
import uuid

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache, caches
from django.test import Client, utils
from django_scopes import scope, scopes_disabled

from improvewell.celery import app as celery_app
from organisations.models import Role
from tests import factories

# Fixtures for triage, teams and projects, shared by their test folders.
pytest_plugins = ["tests.teamwork"]

# The test database is built outside any request, so outside any scope.
utils.setup_databases = scopes_disabled()(utils.setup_databases)

# On PostgreSQL the tests run as this role, which owns no table and does not bypass
# row-level security, exactly like the app's role in production (improvewell/rls.py).
# The database is created and migrated as the configured user (a superuser in CI).
TEST_APP_ROLE = "improvewell_test_app"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    from improvewell.rls import grant_app_role

    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            # Roles belong to the whole cluster: several test runs may race to make it.
            cursor.execute(
                "DO $$ BEGIN CREATE ROLE improvewell_test_app NOLOGIN NOSUPERUSER NOBYPASSRLS;"
                " EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            )
        grant_app_role(connection, TEST_APP_ROLE, truncate=True)
        connection.settings_dict["OPTIONS"]["assume_role"] = TEST_APP_ROLE
        connection.close()
    yield
    # Dropping the test database takes its owner again.
    with django_db_blocker.unblock():
        del connection.settings_dict["OPTIONS"]["assume_role"]
        connection.close()


@pytest.fixture(autouse=True)
def _clear_cache():
    """allauth's rate limits and the kept pages live in the cache (Redis in CI): start
    every test afresh, with a cache the page versions have not given up on."""
    from improvewell import versions

    for alias in ("default", "pages"):
        caches[alias].clear()
    versions.breaker.__init__()
    versions.in_process.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _generous_api_rates(settings):
    """Walks of every route would outrun the API's rate limits; tests/api/test_throttling.py
    sets its own small ones."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"read": "100000/min", "write": "100000/min"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in-process in unit tests, even when REDIS_URL points at a real broker.

    tests/improvewell/test_celery_worker.py sends through the real broker instead.
    """
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def require_real_services(what: str) -> None:
    """Skip `what` without PostgreSQL and Redis; in CI, fail instead."""
    from django.conf import settings
    from django.db import connection

    missing = []
    if not settings.REDIS_URL:
        missing.append("REDIS_URL")
    if connection.vendor != "postgresql":
        missing.append("DATABASE_URL (PostgreSQL)")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run {what} against real services; missing {missing}")
        pytest.skip(f"needs real services: {', '.join(missing)}")


@pytest.fixture
def postgresql(db):
    """For tests of PostgreSQL behaviour (locking, concurrency, full-text search).

    Skipped on the local SQLite default; CI runs on PostgreSQL and fails instead.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI must run the tests on PostgreSQL (set DATABASE_URL)")
        pytest.skip("needs PostgreSQL: set DATABASE_URL")


@pytest.fixture
def organisation(db):
    with scopes_disabled():
        org = factories.OrganisationFactory(
            name="City Hospitals NHS Foundation Trust", slug="city-hospitals"
        )
        factories.SignupDomainFactory(organisation=org, domain="city.nhs.uk")
        return org


@pytest.fixture
def other_organisation(db):
    with scopes_disabled():
        org = factories.OrganisationFactory(name="Hill NHS Trust", slug="hill-trust")
        factories.SignupDomainFactory(organisation=org, domain="hill.nhs.uk")
        return org


@pytest.fixture
def ward(organisation):
    with scopes_disabled():
        return factories.WardFactory(organisation=organisation, name="Acute Medical Unit")


@pytest.fixture
def other_ward(other_organisation):
    with scopes_disabled():
        return factories.WardFactory(organisation=other_organisation, name="Birch Ward")


def _member(organisation, email, name, role, ward=None, *, mfa=False):
    with scopes_disabled():
        membership = factories.MembershipFactory(
            organisation=organisation,
            user__email=email,
            user__name=name,
            role=role,
            home_ward=ward,
        )
    if mfa:
        TOTP.activate(membership.user, generate_totp_secret())
    return membership.user


@pytest.fixture
def alice(organisation, ward):
    """Organisation admin of City Hospitals, with two-factor authentication set up."""
    return _member(organisation, "alice@city.nhs.uk", "Alice Admin", Role.ORG_ADMIN, ward, mfa=True)


@pytest.fixture
def lena(organisation, ward):
    """QI lead of City Hospitals, with two-factor authentication set up."""
    return _member(organisation, "lena@city.nhs.uk", "Lena Lead", Role.QI_LEAD, ward, mfa=True)


@pytest.fixture
def bob(organisation, ward):
    """Staff member of City Hospitals."""
    return _member(organisation, "bob@city.nhs.uk", "Bob Porter", Role.STAFF, ward)


@pytest.fixture
def charlie(other_organisation, other_ward):
    """Organisation admin of Hill NHS Trust: an outsider to City Hospitals."""
    return _member(
        other_organisation,
        "charlie@hill.nhs.uk",
        "Charlie Other",
        Role.ORG_ADMIN,
        other_ward,
        mfa=True,
    )


def membership(user, organisation):
    """The user's Membership of the organisation, as services take it."""
    from organisations.models import Membership

    with scopes_disabled():
        return Membership.objects.select_related("organisation", "home_ward", "user").get(
            user=user, organisation=organisation
        )


@pytest.fixture
def categories(organisation):
    """The organisation's categories: the defaults, which every new organisation has."""
    from ideas.models import Category

    with scope(organisation=organisation):
        return {c.name: c for c in Category.objects.filter(organisation=organisation)}


@pytest.fixture
def share(organisation, categories, ward):
    """Share an idea as `user` through the service, as the submit form does."""
    from ideas import services

    def make(user, *, anonymous=False, title="Second drug trolley for nights", **fields):
        with scope(organisation=organisation):
            idea, _ = services.idea_submit(
                member=membership(user, organisation),
                submission_id=fields.pop("submission_id", uuid.uuid4()),
                kind=fields.pop("kind", "idea"),
                title=title,
                description=fields.pop("description", "We lose twenty minutes every round."),
                category=fields.pop("category", categories["Efficiency and waste"]),
                ward=fields.pop("ward", ward),
                site=fields.pop("site", None),
                anonymous=anonymous,
            )
        return idea

    return make


@pytest.fixture
def client_for():
    def make(user):
        # As a real sign-in does, read the person afresh: a session carries a hash of
        # what is stored now (their password and session epoch, accounts.models).
        user.refresh_from_db(fields=["password", "session_epoch"])
        client = Client()
        client.force_login(user)
        return client

    return make
