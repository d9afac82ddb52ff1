"""The local demo (`make run`) runs on SQLite, where the rest of the suite does not go:
seeded afresh, every member page it offers answers, as each kind of member. Raw SQL
written for PostgreSQL alone would fail here first."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WALK = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django_scopes import scopes_disabled
from ideas.models import Idea
from organisations.models import Membership

call_command("migrate", verbosity=0)
call_command("seed_demo", stdout=open("/dev/null", "w"))
settings.ALLOWED_HOSTS = ["*"]
with scopes_disabled():
    people = {
        role: Membership.objects.filter(organisation__slug="demo-trust", role=role)
        .order_by("pk").values_list("user__email", flat=True).first()
        for role in ("staff", "qi_lead", "org_admin")
    }
    ideas = [str(pk) for pk in Idea.objects.filter(organisation__slug="demo-trust")
             .order_by("created_at").values_list("pk", flat=True)[:5]]
paths = ["/demo-trust/", "/demo-trust/ideas/", "/demo-trust/ideas/?sort=supported",
         "/demo-trust/ideas/?q=ward", "/demo-trust/my-ideas/", "/demo-trust/notifications/",
         "/api/v1/demo-trust/ideas/"] + [f"/demo-trust/ideas/{pk}/" for pk in ideas]
lead_paths = ["/demo-trust/triage/", "/demo-trust/dashboards/"]
answers = {}
for role, email in people.items():
    client = Client(raise_request_exception=False)
    assert client.login(email=email, password="improvewell-demo"), email
    for path in paths + (lead_paths if role != "staff" else []):
        response = client.get(path, secure=True)
        body = response.content.decode()
        answers[f"{role} {path}"] = [response.status_code, "\\x00" in body]
print(json.dumps(answers))
"""


def test_every_member_page_of_the_local_demo_answers_on_sqlite(tmp_path):
    environ = os.environ | {
        "DJANGO_SETTINGS_MODULE": "improvewell.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "REDIS_URL": "",
        "REQUIRE_MFA": "false",
        "DEBUG": "true",
    }
    done = subprocess.run(
        [sys.executable, "-c", WALK],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(answers) == 3 * 12 + 2 * 2
    broken = {page: answer for page, answer in answers.items() if answer != [200, False]}
    assert broken == {}
