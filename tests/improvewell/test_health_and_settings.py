"""Liveness, readiness and production settings, checked in fresh processes."""

import json
import os
import re
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


DEPLOY_CHECK = (
    "from django.core.management import execute_from_command_line; "
    "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
)


def test_deployment_checks_are_clean_with_production_settings():
    result = run_python(DEPLOY_CHECK, DEBUG="false", ALLOWED_HOSTS="improvewell.example.nhs.uk")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deployment_checks_fail_on_a_warning():
    """The check above would notice: one insecure setting fails it."""
    result = run_python(
        DEPLOY_CHECK,
        DEBUG="false",
        ALLOWED_HOSTS="improvewell.example.nhs.uk",
        SESSION_COOKIE_SECURE="false",
    )
    assert result.returncode != 0
    assert "security.W012" in result.stderr


# Production settings (DEBUG off) in a fresh process, on a migrated SQLite file. Only
# the static files storage changes: the manifest needs `collectstatic`, and the pages
# here are checked for their headers and markup, not their file names.
PRODUCTION_PAGES = """
import json, re
import django
django.setup()
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django_scopes import scopes_disabled
from organisations.models import Role
from tests import factories

call_command("migrate", verbosity=0)
static = "django.contrib.staticfiles.storage.StaticFilesStorage"
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {"BACKEND": static}}).enable()
INLINE = re.compile(
    r"<script(?![^>]*\\bsrc=)(?![^>]*application/json)[^>]*>|\\sstyle=|\\son[a-z]+=", re.I
)

def page(client, path):
    response = client.get(path, secure=True)
    body = response.content.decode() if response["Content-Type"].startswith("text/html") else ""
    return {
        "status": response.status_code,
        "csp": response.get("Content-Security-Policy", ""),
        "hsts": response.get("Strict-Transport-Security", ""),
        "inline": INLINE.findall(body)[:3],
    }

def cookie(morsel):
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"]}

with scopes_disabled():
    member = factories.MembershipFactory(role=Role.ORG_ADMIN, user__email="admin@city.nhs.uk")
    staff = factories.MembershipFactory(role=Role.STAFF, user__email="staff@city.nhs.uk").user
    staff.set_password("a long enough passphrase")
    staff.save()
    root = factories.UserFactory(email="root@improvewell.local", is_staff=True, is_superuser=True)
TOTP.activate(member.user, generate_totp_secret())
TOTP.activate(root, generate_totp_secret())
slug = member.organisation.slug

pages = {}
visitor = Client()
for path in ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
    pages[path] = page(visitor, path)
csrf = cookie(visitor.get("/accounts/login/", secure=True).cookies["csrftoken"])
signed_in = Client()
signed_in.force_login(member.user)
for path in ["/account/", "/accounts/2fa/", f"/{slug}/ideas/", f"/{slug}/ideas/new/",
             f"/{slug}/dashboards/"]:
    pages[path] = page(signed_in, path)
admin = Client()
admin.force_login(root)
for path in ["/admin/", "/admin/ideas/idea/", "/admin/organisations/ward/add/"]:
    pages[path] = page(admin, path)
# A real sign-in sets the session cookie through the middleware.
login = Client().post("/accounts/login/", {"login": staff.email,
                      "password": "a long enough passphrase"}, secure=True)
session = cookie(login.cookies[settings.SESSION_COOKIE_NAME])
print(json.dumps({"pages": pages, "csrf": csrf, "session": session}))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    database = tmp_path_factory.mktemp("production") / "db.sqlite3"
    result = run_python(
        PRODUCTION_PAGES,
        DEBUG="false",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{database}",
        REQUIRE_MFA="true",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_page_has_a_csp_without_unsafe_inline_and_needs_none(production):
    # The public pages, allauth's, a member's and the platform admin's (Django's admin
    # templates carry no inline script or style since Django 4.1: none is needed).
    for path, page in production["pages"].items():
        assert page["status"] == 200, f"{path} answered {page['status']}"
        directives = dict(d.strip().split(" ", 1) for d in page["csp"].split(";") if d.strip())
        assert directives.get("script-src") == "'self'", path
        assert directives.get("style-src") == "'self'", path
        assert "unsafe" not in page["csp"], path
        assert not page["inline"], f"{path} has inline script or style: {page['inline']}"


def test_hsts_asks_for_a_year_in_production(production):
    for path, page in production["pages"].items():
        max_age = int(re.search(r"max-age=(\d+)", page["hsts"]).group(1))
        assert max_age >= 31536000, path
        assert "includeSubDomains" in page["hsts"], path


def test_cookies_are_secure_httponly_and_samesite_in_production(production):
    assert production["session"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert production["csrf"]["secure"] and production["csrf"]["samesite"] == "Lax"
