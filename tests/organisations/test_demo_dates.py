"""The demo never dates anything in the future (nothing it shows has happened after now),
and its pages leave no separator dangling where a value is empty.

Walks every date and time column of every table the demo writes, so a new one is covered
without anyone adding it. Targets and expiry dates look ahead by design.
"""

import re
from datetime import timedelta

from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models import Max
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from ideas.models import Idea
from projects.models import Measure, Project
from teams.models import Team

APPS = {"organisations", "ideas", "teams", "projects", "dashboards", "audit"}
AHEAD_BY_DESIGN = {("projects.Project", "target_date"), ("organisations.Invitation", "expires_at")}


def latest_dates():
    with scopes_disabled():
        for model in apps.get_models():
            if model._meta.app_label not in APPS:
                continue
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.DateField):  # DateTimeField too
                    continue
                if (model._meta.label, field.name) in AHEAD_BY_DESIGN:
                    continue
                latest = model._default_manager.aggregate(latest=Max(field.name))["latest"]
                if latest is not None:
                    yield f"{model._meta.label}.{field.name}", latest


def test_the_demo_never_dates_anything_after_now(db):
    call_command("seed_demo", verbosity=0)
    now = timezone.now() + timedelta(seconds=5)
    today = timezone.localdate()
    checked = dict(latest_dates())
    future = {
        name: value
        for name, value in checked.items()
        if (value > now if hasattr(value, "hour") else value > today)
    }
    assert future == {}
    for name in (
        "ideas.IdeaEvent.created_at",
        "ideas.Comment.created_at",
        "ideas.Support.created_at",
        "projects.MeasurePoint.date",
        "projects.PDSACycle.start_date",
        "dashboards.DailyFact.day",
    ):
        assert name in checked, f"the demo wrote no {name}"


# A separator left between two values when one of them is empty: "· ·", "· </p>", "()".
DANGLING = re.compile(r"·\s*(?:·|</p>|</li>|</span>\s*</p>|\))|<p[^>]*>\s*·|\(\s*\)|:\s*·")


def demo_pages(slug):
    with scopes_disabled():
        paths = [
            f"/{slug}/{path}"
            for path in (
                "",
                "ideas/",
                "triage/",
                "projects/",
                "teams/",
                "my-ideas/",
                "notifications/",
                "you-said-we-did/",
            )
        ]
        for idea in Idea.objects.filter(organisation__slug=slug):
            paths += [f"/{slug}/ideas/{idea.pk}/", f"/{slug}/triage/{idea.pk}/"]
        for project in Project.objects.filter(organisation__slug=slug):
            paths.append(f"/{slug}/projects/{project.pk}/")
            for measure in Measure.objects.filter(project=project):
                paths.append(f"/{slug}/projects/{project.pk}/measures/{measure.pk}/")
        for team in Team.objects.filter(organisation__slug=slug):
            paths.append(f"/{slug}/teams/{team.pk}/")
    return paths


def test_the_demo_pages_leave_no_stray_separators(client, db, settings):
    settings.REQUIRE_MFA = False
    call_command("seed_demo", verbosity=0)
    for email, slug in [
        ("lead@demo-trust.nhs.uk", "demo-trust"),
        ("staff@demo-trust.nhs.uk", "demo-trust"),
        ("staff@other-trust.nhs.uk", "other-trust"),
    ]:
        client.force_login(User.objects.get(email=email))
        for path in demo_pages(slug):
            response = client.get(path)
            if response.status_code == 403:  # triage, for staff
                continue
            assert response.status_code == 200, path
            body = response.content.decode()
            stray = [body[max(0, m.start() - 80) : m.end()] for m in DANGLING.finditer(body)]
            assert stray == [], f"{path} as {email}"
