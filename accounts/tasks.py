from celery import shared_task
from django.utils import timezone

from .models import Session


@shared_task
def sessions_clear_expired_task() -> int:
    """Nightly: delete the sessions that have expired.

    Nothing signs in with an expired session, but its row stays until something deletes
    it, holding what the session held. Idempotent: a second run finds nothing to delete.
    """
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
