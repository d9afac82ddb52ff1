"""Errors as RFC 9457 problem details: `application/problem+json` with type, title,
status and detail, and the field errors under `errors` ({field: [messages]})."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
}
FIELDS_MESSAGE = "Some of what you sent is not valid: see errors."


PROBLEM_JSON = "application/problem+json"


def django_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A service's refusal (ValidationError({"field": message})) as the API's 400."""
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


def _errors(detail) -> dict:
    if isinstance(detail, dict):
        return {
            field: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
            for field, msgs in detail.items()
        }
    return {"non_field_errors": [str(m) for m in detail]}


def problem(status_code: int, detail: str, *, errors=None, headers=None) -> Response:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_JSON)


def problem_details_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error(exc)
    elif isinstance(exc, Http404):
        # Never a hint of what exists: one wording for every 404.
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's own 500 handling
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")}
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            status.HTTP_400_BAD_REQUEST, FIELDS_MESSAGE, errors=_errors(exc.detail), headers=headers
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    return problem(response.status_code, str(detail), headers=headers)
