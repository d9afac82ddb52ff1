"""Indexes in the order the board's "most supported" and the triage inbox read ideas."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0010_email_catch_up_schedule"),
        ("organisations", "0002_initial"),
        ("teams", "0003_moved_to_projects_and_audit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="idea",
            name="idea_org_supported",
        ),
        migrations.AddIndex(
            model_name="idea",
            index=models.Index(
                fields=["organisation", "-support_count", "-created_at"], name="idea_org_supported"
            ),
        ),
        migrations.AddIndex(
            model_name="idea",
            index=models.Index(
                models.F("organisation"),
                models.Case(
                    models.When(status="submitted", then=models.Value(0)),
                    default=models.Value(1),
                    output_field=models.IntegerField(),
                ),
                models.F("created_at"),
                condition=models.Q(("status__in", ("submitted", "under_review", "in_progress"))),
                name="idea_org_triage_order",
            ),
        ),
    ]
