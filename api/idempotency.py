"""`Idempotency-Key` on every request that changes data (POST, PUT, PATCH, DELETE).

The first answer (its status and JSON body) to a request sent with a key is kept; the
same caller sending the key again gets that answer back, marked
`Idempotent-Replayed: true`, and nothing is done again. The same key with another
method, path or body is a 422. Only successful (2xx) answers are kept: after a refusal
the key can be used again, once the request is put right.

Two requests at once with one key: the record is inserted first, inside the request's
own transaction (api/base.py). PostgreSQL makes a second insert of the same key wait
until the first transaction ends; if it committed, the second insert fails, and the
second request replays the first one's answer; if it rolled back, the second request
does the work itself. So exactly one of them does it.

Anonymity: a record names neither the caller nor a time of day (api/models.py). It is
kept for at least a day and purged by `api.tasks.purge_idempotency_records_task`.
"""

import re

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.utils import timezone
from rest_framework import exceptions, status
from rest_framework.permissions import SAFE_METHODS

from .callers import caller_of, keyed_digest
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
# Visible ASCII, no spaces: a UUID, a ULID or any opaque string of the client's.
VALID_KEY = re.compile(r"[!-~]{1,255}")
BAD_KEY = "Send 1 to 255 visible ASCII characters with no spaces, such as a new UUID."


class Replay(Exception):
    """Not an error: raised from a view's `initial` to answer with the stored response."""

    def __init__(self, response):
        super().__init__("replay")
        self.response = response


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was sent before with a different request: use a new key "
        "for a new request."
    )
    default_code = "idempotency_key_reused"


def _fingerprint(request) -> str:
    django_request = request._request
    try:
        body = django_request.body
    except RawPostDataException:
        body = b""  # read as a form already: not JSON, so the request gets a 415
    message = f"{request.method}\n{django_request.get_full_path()}\n{body.hex()}"
    return keyed_digest("idempotency-request", message)


def claim(request, organisation) -> IdempotencyRecord | None:
    """Claim the request's key for it; None without a key or for a read.

    Raises Replay with the first answer to a repeated key, KeyReused (422) for the key
    of another request, and a 400 field error for a key that is not valid.
    """
    key = request.headers.get(HEADER)
    if key is None or request.method in SAFE_METHODS:
        return None
    if not VALID_KEY.fullmatch(key):
        raise exceptions.ValidationError({HEADER: [BAD_KEY]})
    digest = keyed_digest("idempotency", f"{organisation.pk}:{caller_of(request)}:{key}")
    fingerprint = _fingerprint(request)
    for _attempt in range(2):  # twice: the first answer may be purged as we look for it
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    digest=digest,
                    organisation=organisation,
                    fingerprint=fingerprint,
                    created_on=timezone.localdate(),
                )
        except IntegrityError:
            pass  # a request with this key has committed: answer as it did
        first = IdempotencyRecord.objects.filter(pk=digest).first()
        if first is not None:
            return _replay(first, fingerprint)
    raise exceptions.Throttled(wait=1, detail="This Idempotency-Key is busy: try again.")


def _replay(first: IdempotencyRecord, fingerprint: str):
    if first.fingerprint != fingerprint:
        raise KeyReused()
    response = HttpResponse(first.body, status=first.status, content_type="application/json")
    response[REPLAYED] = "true"
    raise Replay(response)


def settle(record: IdempotencyRecord, response) -> None:
    """Keep a successful answer for the key's repeats; forget the key after a refusal."""
    if not status.is_success(response.status_code):
        record.delete()
        return
    if hasattr(response, "render"):
        response.render()
    record.status = response.status_code
    record.body = response.content.decode()
    record.save(update_fields=["status", "body"])
