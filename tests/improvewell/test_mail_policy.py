"""Every task that sends email retries by the one policy in improvewell/mail.py."""

from improvewell.celery import app
from improvewell.mail import EMAIL_RETRY


def email_tasks():
    """Tasks named send_…_task send email; send_…_all_task only fans out to them."""
    app.loader.import_default_modules()
    for name, task in sorted(app.tasks.items()):
        short = name.rsplit(".", 1)[-1]
        if short.startswith("send_") and short.endswith("_task") and "_all_" not in short:
            yield short, task


def test_the_email_tasks_are_found():
    assert [name for name, _ in email_tasks()] == [
        "send_weekly_digests_task",
        "send_anonymous_updates_task",
        "send_notification_email_task",
        "send_invitation_email_task",
        "send_endpoint_disabled_email_task",
    ]


def test_every_email_task_retries_the_same_way():
    for name, task in email_tasks():
        policy = {key: getattr(task, key) for key in EMAIL_RETRY}
        assert policy == EMAIL_RETRY, name
