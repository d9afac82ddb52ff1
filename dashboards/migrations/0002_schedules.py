"""The roll-up schedules, in django-celery-beat so that admins can change them."""

from django.db import migrations

SCHEDULES = [
    ("Roll up today's engagement figures", "dashboards.tasks.rollup_today_task", "*/15", "*"),
    ("Finalise yesterday's engagement figures", "dashboards.tasks.rollup_yesterday_task", "30", "2"),
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
        PeriodicTask.objects.using(db).get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(db).filter(name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
