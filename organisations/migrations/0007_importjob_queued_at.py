"""When a staff import was sent to the workers, and the sweep that sends again the ones
whose task never arrived (organisations.tasks.staff_import_sweep_task), every five
minutes in django-celery-beat so that platform admins can change it."""

from django.db import migrations, models

NAME = "Send again the staff imports left applying"


def create(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.using(db).get_or_create(
        minute="*/5",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.using(db).get_or_create(
        name=NAME,
        defaults={"task": "organisations.tasks.staff_import_sweep_task", "crontab": crontab},
    )


def remove(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.using(db).filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0006_importjob"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="importjob",
            name="requeued",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(create, remove),
    ]
