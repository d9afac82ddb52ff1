"""The webhook schedules, editable in the admin: the retry sweep every minute, and the
daily announcement of anonymous ideas at 08:00 London time (docs/anonymity.md)."""

from django.db import migrations

SCHEDULES = [
    ("Send the webhook deliveries that are due", "webhooks.tasks.retry_due_webhooks_task", "*", "*"),
    (
        "Announce yesterday's anonymous ideas to webhooks",
        "webhooks.tasks.announce_anonymous_ideas_all_task",
        "0",
        "8",
    ),
]


def create(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in SCHEDULES:
        crontab, _ = Crontab.objects.using(db).get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*",
            timezone="Europe/London",
        )
        PeriodicTask.objects.using(db).get_or_create(
            name=name, defaults={"task": task, "crontab": crontab}
        )


def remove(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    names = [name for name, *_ in SCHEDULES]
    apps.get_model("django_celery_beat", "PeriodicTask").objects.using(db).filter(name__in=names).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
