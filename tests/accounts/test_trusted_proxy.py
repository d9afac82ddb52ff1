"""allauth's rate limits behind the reverse proxy: keyed on each client, not the proxy.

The test client's REMOTE_ADDR (127.0.0.1) plays the proxy; the headers are what the
proxy passes on. The limits live in the real cache (Redis with REDIS_URL).
"""

import os
import runpy

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from tests.factories import TEST_PASSWORD

SETTINGS_FILE = os.path.join(django_settings.BASE_DIR, "improvewell", "settings.py")
PROXY_SETTINGS = ("ALLAUTH_TRUSTED_PROXY_COUNT", "ALLAUTH_TRUSTED_CLIENT_IP_HEADER")
LOGIN_FAILED_PER_IP = 10  # ACCOUNT_RATE_LIMITS["login_failed"]: 10/m/ip
WRONG_PASSWORD = "not-the-password"
CLIENT_A = "203.0.113.7"
CLIENT_B = "198.51.100.9"


@pytest.fixture
def deploy_with(monkeypatch, settings):
    """Read the proxy settings from these environment variables, as a deployment does."""

    def deploy(**env):
        monkeypatch.setenv("ENV_FILE", os.devnull)
        for name in PROXY_SETTINGS:
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        fresh = runpy.run_path(SETTINGS_FILE)
        for name in PROXY_SETTINGS:
            setattr(settings, name, fresh[name])

    return deploy


# Each proxy style: the headers it sends for a client who also sends a made-up
# X-Forwarded-For of their own.
BEHIND_ONE_PROXY = (
    {"ALLAUTH_TRUSTED_PROXY_COUNT": "1"},
    lambda client_ip, made_up: {"X-Forwarded-For": f"{made_up}, {client_ip}"},
)
BEHIND_A_PROXY_THAT_NAMES_THE_CLIENT = (
    {"ALLAUTH_TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"},
    lambda client_ip, made_up: {"X-Real-IP": client_ip, "X-Forwarded-For": made_up},
)


def sign_in(client, headers, login, password=WRONG_PASSWORD):
    return client.post("/accounts/login/", {"login": login, "password": password}, headers=headers)


def too_many(response):
    return "too many" in response.content.decode().lower()


def fail_ten_times(client, headers_for):
    for n in range(LOGIN_FAILED_PER_IP):
        # A different address each time keeps the per-address limit (5 in 5 minutes)
        # out of it; a new made-up X-Forwarded-For each time must not help either.
        response = sign_in(client, headers_for(f"10.9.8.{n}"), f"guess{n}@city.nhs.uk")
        assert response.status_code == 200 and not too_many(response)


@pytest.mark.parametrize(
    ("env", "headers"),
    [BEHIND_ONE_PROXY, BEHIND_A_PROXY_THAT_NAMES_THE_CLIENT],
    ids=["x-forwarded-for", "client-ip-header"],
)
def test_bad_passwords_behind_the_proxy_lock_out_that_client_only(
    client, deploy_with, bob, env, headers
):
    deploy_with(**env)
    fail_ten_times(client, lambda made_up: headers(CLIENT_A, made_up))

    a_again = sign_in(client, headers(CLIENT_A, "10.9.9.9"), "bob@city.nhs.uk", TEST_PASSWORD)
    assert too_many(a_again)
    b = sign_in(client, headers(CLIENT_B, "10.9.9.9"), "bob@city.nhs.uk", TEST_PASSWORD)
    assert b.status_code == 302  # B signs in


def test_by_default_no_proxy_is_trusted(client, deploy_with, bob):
    deploy_with()
    fail_ten_times(client, lambda made_up: {"X-Forwarded-For": f"{made_up}, {CLIENT_A}"})
    # A client cannot pick a fresh bucket by naming an address.
    assert too_many(
        sign_in(client, {"X-Forwarded-For": CLIENT_B}, "bob@city.nhs.uk", TEST_PASSWORD)
    )


def test_a_negative_proxy_count_is_refused(deploy_with):
    # allauth would then read an entry the client wrote.
    with pytest.raises(ImproperlyConfigured, match="ALLAUTH_TRUSTED_PROXY_COUNT"):
        deploy_with(ALLAUTH_TRUSTED_PROXY_COUNT="-1")
