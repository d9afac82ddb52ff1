"""The daily email to anonymous submitters (08:00, London time), editable in the admin."""

from django.db import migrations

NAME = "Tell anonymous submitters they have updates"


def create(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.using(db).get_or_create(
        minute="0", hour="8", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.using(db).get_or_create(
        name=NAME,
        defaults={"task": "ideas.tasks.send_anonymous_updates_all_task", "crontab": crontab},
    )


def remove(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    apps.get_model("django_celery_beat", "PeriodicTask").objects.using(db).filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0006_day_precision_and_read_flags"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
