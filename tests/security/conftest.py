"""Fixtures the hostile-input tests share."""

import logging

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from tests.factories import UserFactory


@pytest.fixture
def lift_submission_limit(monkeypatch):
    """Each hostile value must be able to land in a new idea, so the daily cap goes."""
    from ideas import services

    for name in ("SUBMISSIONS_PER_DAY", "SUBMISSIONS_PER_HOUR"):
        monkeypatch.setattr(services, name, 10**6, raising=False)


@pytest.fixture
def quiet_request_log():
    """Thousands of 400s and 404s are expected here; 5xx are logged at ERROR still."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture
def platform_admin(db):
    """A superuser with two-factor authentication set up: /admin/ lets them in."""
    user = UserFactory(email="root@improvewell.local", is_staff=True, is_superuser=True)
    TOTP.activate(user, generate_totp_secret())
    return user
