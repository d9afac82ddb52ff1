from django.db import migrations

CLEAR = "Delete expired sessions"


def schedule_clear(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    Crontab = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _ = Crontab.objects.using(db).get_or_create(
        minute="40", hour="3", day_of_week="*", day_of_month="*", month_of_year="*",
        timezone="Europe/London",
    )
    PeriodicTask.objects.using(db).get_or_create(
        name=CLEAR,
        defaults={"task": "accounts.tasks.sessions_clear_expired_task", "crontab": crontab},
    )


def unschedule_clear(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    apps.get_model("django_celery_beat", "PeriodicTask").objects.using(db).filter(
        name=CLEAR
    ).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('users', '0005_session'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
    ]

    operations = [migrations.RunPython(schedule_clear, unschedule_clear)]
