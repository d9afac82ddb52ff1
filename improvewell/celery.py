import os
import time

from celery import Celery
from celery.signals import before_task_publish

from improvewell.periodic import PUBLISHED_AT

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "improvewell.settings")

app = Celery("improvewell")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@before_task_publish.connect
def _stamp_publish_time(headers=None, **kwargs):
    """When a message was sent: a periodic job's period is that of the tick beat sent
    it for, not of the moment a worker gets to it (improvewell/periodic.py)."""
    if headers is not None:
        headers.setdefault(PUBLISHED_AT, time.time())
