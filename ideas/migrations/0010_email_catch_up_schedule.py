"""The email catch-up (ideas.tasks.email_catch_up_task) every five minutes, editable in
the admin: it queues again the notification and invitation emails never sent."""

from django.db import migrations

NAME = "Send the emails that could not be queued"


def create(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.using(db).get_or_create(
        minute="*/5", hour="*", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.using(db).get_or_create(
        name=NAME, defaults={"task": "ideas.tasks.email_catch_up_task", "crontab": crontab}
    )


def remove(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    apps.get_model("django_celery_beat", "PeriodicTask").objects.using(db).filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0009_default_categories"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
