"""How far a running staff import has got: the apply's one transaction is invisible
until it commits, so it reports its progress through the cache (Redis).

Progress is a nicety: a cache that is down shows the rows done as the job row has
them, and never fails the page or the apply.
"""

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

from .models import ImportJob

logger = logging.getLogger(__name__)
CACHE_ERRORS = (RedisError, OSError)


def progress_key(job_id) -> str:
    return f"staff-import-progress:{job_id}"


def progress_record(job_id, done: int) -> None:
    try:
        cache.set(progress_key(job_id), done, timeout=3600)
    except CACHE_ERRORS as exc:
        logger.warning("Could not record a staff import's progress: %s", type(exc).__name__)


def progress_of(job: ImportJob) -> int:
    """Rows done so far."""
    if job.state != ImportJob.State.APPLYING:
        return job.done
    try:
        done = cache.get(progress_key(job.pk), 0)
    except CACHE_ERRORS:
        return job.done
    return min(done, job.total)
