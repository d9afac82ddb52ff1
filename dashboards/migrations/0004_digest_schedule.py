"""The weekly digest schedule (Mondays at 07:00, London time), editable in the admin."""

from django.db import migrations

NAME = "Send the weekly digest to QI leads"


def create(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.using(db).get_or_create(
        minute="0", hour="7", day_of_week="1", day_of_month="*", month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.using(db).get_or_create(
        name=NAME, defaults={"task": "dashboards.tasks.send_weekly_digests_all_task", "crontab": crontab}
    )


def remove(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    apps.get_model("django_celery_beat", "PeriodicTask").objects.using(db).filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0003_digestsent")]

    operations = [migrations.RunPython(create, remove)]
