"""Liveness, readiness and production settings, checked in fresh processes."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

READYZ = """
import django, json
django.setup()
from django.test import Client
response = Client().get("/readyz")
print(json.dumps({"status": response.status_code, "body": response.json()}))
"""


def run_python(code: str, **env) -> subprocess.CompletedProcess:
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    full_env.update(
        {
            "DJANGO_SETTINGS_MODULE": "improvewell.settings",
            "ENV_FILE": os.devnull,
            "DEBUG": "true",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "testserver",
            "ANONYMITY_KEY": secrets.token_urlsafe(40),
        }
    )
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def readyz(**env) -> dict:
    result = run_python(READYZ, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_healthz_answers_while_the_process_lives(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_readyz_answers_200_when_database_and_redis_answer(client, settings):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "failures": []}


def test_readyz_answers_503_naming_the_database_when_it_is_unreachable(tmp_path):
    # Port 1 refuses connections: a real failure, not a mock.
    result = readyz(DATABASE_URL="postgres://postgres@127.0.0.1:1/improvewell")
    assert result["status"] == 503
    assert result["body"]["failures"] == ["database: OperationalError"]


def test_readyz_answers_503_naming_redis_when_it_is_unreachable(tmp_path):
    result = readyz(
        DATABASE_URL=f"sqlite:///{tmp_path / 'ready.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert result["status"] == 503
    assert result["body"]["failures"] == ["redis: ConnectionError"]


def test_app_refuses_to_start_without_a_real_secret_key():
    result = run_python("import django; django.setup()", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is missing" in result.stderr


def test_mfa_can_only_be_switched_off_for_a_local_demo():
    result = run_python(
        "import django; django.setup()",
        DEBUG="false",
        REQUIRE_MFA="false",
        ALLOWED_HOSTS="improvewell.example.nhs.uk",
    )
    assert result.returncode != 0
    assert "REQUIRE_MFA may only be turned off" in result.stderr


def test_deployment_checks_are_clean_with_production_settings():
    code = (
        "import sys; from django.core.management import execute_from_command_line; "
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )
    result = run_python(code, DEBUG="false", ALLOWED_HOSTS="improvewell.example.nhs.uk")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
