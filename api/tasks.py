from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from improvewell.rls import cross_organisation

from .models import IdempotencyRecord

# A key is replayed for at least this long (a record made just before midnight is kept
# through the next day), and purged the night after.
KEEP_IDEMPOTENCY_RECORDS = timedelta(days=1)


@shared_task
def purge_idempotency_records_task() -> int:
    """Nightly: forget the Idempotency-Keys of the day before yesterday and earlier.

    Housekeeping for the whole platform, one statement across every organisation.
    Idempotent: a second run finds nothing to delete.
    """
    cutoff = timezone.localdate() - KEEP_IDEMPOTENCY_RECORDS
    with cross_organisation():
        deleted, _ = IdempotencyRecord.objects.filter(created_on__lt=cutoff).delete()
    return deleted
