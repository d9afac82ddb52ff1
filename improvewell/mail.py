"""How every task that sends email retries: one policy, so no email is given up sooner
than another.

A mail server that refuses or times out, or a database that drops the connection, is
usually back within minutes: retry with growing, jittered waits (30 s up to 15 min,
about an hour in all) and then give up, leaving the failure in the worker's log. Every
email task is idempotent (it records what went out), so a retry never sends twice.
"""

import smtplib

from django.db import OperationalError

EMAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, ConnectionError, TimeoutError, OperationalError),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "retry_jitter": True,
    "max_retries": 6,
}
