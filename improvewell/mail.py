"""How email tasks are queued and retried: one policy for every task that sends email.

Retrying. A mail server that refuses or times out, or a database that drops the
connection, is usually back within minutes: retry with growing, jittered waits (30 s up
to 15 min, about an hour in all) and then give up, leaving the failure in the worker's
log. Every email task is idempotent (it records what went out), so a retry never sends
twice.

Queuing. The row that an email is about (a notification, an invitation) records whether
it has gone out; the task only carries its id. So a broker that is down when a request
publishes costs the request only time: `queue_after_commit` sends the task once the row
is committed, gives up within the bound set in settings (the publish retry policy and
the broker's socket timeouts: about 1.5 s), logs the ids and lets the request succeed.
The periodic email catch-up (ideas.tasks.email_catch_up_task) queues what is still unsent.
"""

import functools
import logging
import smtplib
import time

from django.db import OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

EMAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError, OperationalError),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 6,
}


def queue(task, **ids) -> bool:
    """Send `task` with these keyword ids to the broker now. False if the broker could
    not take it; then the failure is logged, with the ids only (tasks take ids, never
    names or addresses), and nothing is raised."""
    start = time.monotonic()
    try:
        task.apply_async(kwargs=ids)
    except (BrokerError, OSError) as exc:
        # kombu turns a broker that refuses, drops or times out into its OperationalError.
        logger.warning(
            "Could not queue %s (%s) after %.1f s: %s; the email catch-up will send it",
            task.name,
            " ".join(f"{key}={value}" for key, value in sorted(ids.items())),
            time.monotonic() - start,
            type(exc).__name__,
        )
        return False
    return True


def queue_after_commit(task, **ids) -> None:
    """Queue `task` once the current transaction has committed, never failing the
    request: the write stands and is acknowledged even when the broker is down."""
    transaction.on_commit(functools.partial(queue, task, **ids))
