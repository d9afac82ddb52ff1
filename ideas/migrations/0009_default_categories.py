"""Every organisation has the default categories from its creation (ideas/signals.py).
Organisations made before that got them only when someone first opened the share form
or the category list: those that never did get them here."""

from django.db import migrations

from improvewell.rls import cross_organisation

# ideas.models.DEFAULT_CATEGORIES as it was when this migration was written.
DEFAULT_CATEGORIES = [
    "Patient safety",
    "Patient experience",
    "Staff wellbeing",
    "Efficiency and waste",
    "Environment and sustainability",
    "Equipment and facilities",
    "Communication",
    "Other",
]


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    Organisation = apps.get_model("organisations", "Organisation")
    Category = apps.get_model("ideas", "Category")
    # Tenant rows of every organisation: under forced row-level security, the owner
    # running migrations sees them only through the reviewed escape hatch.
    with cross_organisation():
        with_categories = Category.objects.using(db).values("organisation_id")
        without = Organisation.objects.using(db).exclude(pk__in=with_categories)
        Category.objects.using(db).bulk_create(
            Category(organisation_id=organisation_id, name=name, position=position)
            for organisation_id in without.values_list("pk", flat=True)
            for position, name in enumerate(DEFAULT_CATEGORIES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0008_idea_site"),
        ("organisations", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
