"""Urgent concerns: the flag, and the triage inbox's index in its new order (urgent first)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0012_title_trigram"),
        ("organisations", "0003_speak_up_contacts_and_urgent_target"),
    ]

    operations = [
        migrations.AddField(
            model_name="idea",
            name="is_urgent",
            field=models.BooleanField(default=False),
        ),
        migrations.RemoveIndex(
            model_name="idea",
            name="idea_org_triage_order",
        ),
        migrations.AddIndex(
            model_name="idea",
            index=models.Index(
                models.F("organisation"),
                models.OrderBy(models.F("is_urgent"), descending=True),
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
