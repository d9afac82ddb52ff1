"""Anonymity: day-precision times for everything about an anonymous idea, and read and
emailed flags instead of times on notifications. Existing rows are brought into line."""

from zoneinfo import ZoneInfo

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from improvewell.rls import cross_organisation


def _day(moment, zone):
    if moment is None:
        return None
    local = moment.astimezone(zone)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias  # the database being migrated
    # Tenant rows of every organisation: under forced row-level security, the owner
    # running migrations sees them only through the reviewed escape hatch.
    with cross_organisation():
        _forwards(apps, zone=ZoneInfo(settings.TIME_ZONE), db=db)


def _forwards(apps, *, zone, db):
    Idea = apps.get_model("ideas", "Idea")
    IdeaEvent = apps.get_model("ideas", "IdeaEvent")
    Comment = apps.get_model("ideas", "Comment")
    Notification = apps.get_model("ideas", "Notification")

    # Thread order first, while the old times still say it.
    idea_id, position = None, 0
    for comment in Comment.objects.using(db).order_by("idea_id", "created_at", "id").iterator(
        chunk_size=2000
    ):
        if comment.idea_id != idea_id:
            idea_id, position = comment.idea_id, 0
        Comment.objects.using(db).filter(pk=comment.pk).update(position=position)
        position += 1

    Notification.objects.using(db).filter(read_at__isnull=False).update(is_read=True)
    Notification.objects.using(db).filter(emailed_at__isnull=False).update(is_emailed=True)

    for idea in Idea.objects.using(db).filter(is_anonymous=True).iterator(chunk_size=2000):
        Idea.objects.using(db).filter(pk=idea.pk).update(
            created_at=_day(idea.created_at, zone),
            status_changed_at=_day(idea.status_changed_at, zone),
            first_response_at=_day(idea.first_response_at, zone),
        )
    anonymous = {"idea__is_anonymous": True}
    for model in (IdeaEvent, Comment):
        for row in model.objects.using(db).filter(**anonymous).iterator(chunk_size=2000):
            model.objects.using(db).filter(pk=row.pk).update(created_at=_day(row.created_at, zone))
    for row in Notification.objects.using(db).exclude(recipient_token="").iterator(chunk_size=2000):
        Notification.objects.using(db).filter(pk=row.pk).update(created_at=_day(row.created_at, zone))


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0005_rollup_indexes"),
        ("organisations", "0002_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="position",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="notification",
            name="is_emailed",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="notification",
            name="is_read",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
        migrations.AlterModelOptions(
            name="comment",
            options={"ordering": ["created_at", "position"]},
        ),
        migrations.RemoveIndex(
            model_name="notification",
            name="ideas_notif_recipie_4d1569_idx",
        ),
        migrations.RemoveIndex(
            model_name="notification",
            name="ideas_notif_organis_199bde_idx",
        ),
        migrations.RemoveField(model_name="notification", name="emailed_at"),
        migrations.RemoveField(model_name="notification", name="read_at"),
        migrations.AlterField(
            model_name="comment",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AlterField(
            model_name="idea",
            name="created_at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False
            ),
        ),
        migrations.AlterField(
            model_name="ideaevent",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AlterField(
            model_name="notification",
            name="created_at",
            field=models.DateTimeField(default=django.utils.timezone.now, editable=False),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["recipient", "is_read"], name="notification_user_unread"),
        ),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(
                fields=["organisation", "recipient_token", "is_read"],
                name="notification_token_unread",
            ),
        ),
    ]
