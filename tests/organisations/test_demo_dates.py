"""The demo never dates anything in the future: nothing it shows has happened after now.

Walks every date and time column of every table the demo writes, so a new one is covered
without anyone adding it. Targets and expiry dates look ahead by design.
"""

from datetime import timedelta

from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models import Max
from django.utils import timezone
from django_scopes import scopes_disabled

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
