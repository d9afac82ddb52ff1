"""What drf-spectacular needs to describe the API in its OpenAPI schema: the token, the
Idempotency-Key header, and the problem details (api/problems.py) every endpoint may
answer with, declared once here so that no endpoint can leave them out."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import SAFE_METHODS

from .problems import PROBLEM_JSON, TITLES


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.tokens.TokenAuthentication"
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token (iw_…) from /account/tokens/.",
        }


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    OpenApiParameter.HEADER,
    description="Optional: a new UUID per change. Sent again, the first answer comes back "
    "(with Idempotent-Replayed: true) and nothing is done twice.",
)


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the header every organisation endpoint's changes
    take (api/idempotency.py)."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        from .base import OrganisationViewMixin  # the views import this module's app

        if self.method not in SAFE_METHODS and isinstance(self.view, OrganisationViewMixin):
            parameters = [*parameters, IDEMPOTENCY_KEY]
        return parameters


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "What is wrong with each field you sent.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
# What `<slug:org>` in api/urls.py accepts; anything else is not an API route at all.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
UNSAFE = {"post", "put", "patch", "delete"}


def _error_codes(method: str, operation: dict) -> list[int]:
    """The refusals an operation can answer with, whatever its view forgets to say."""
    codes = [401, 403, 406, 429]  # sign-in; role, read token or CSRF; Accept; throttling
    if any(p["in"] == "path" for p in operation.get("parameters", ())):
        codes.append(404)  # an outsider, an unknown organisation or row: the same 404
    if method in UNSAFE or any(p["in"] == "query" for p in operation.get("parameters", ())):
        codes.append(400)
    if "requestBody" in operation:
        codes.append(415)
    if method in UNSAFE and "Idempotency-Key" in {
        p["name"] for p in operation.get("parameters", ())
    }:
        codes.append(422)  # an Idempotency-Key sent before with another request
    return codes


def problem_responses(result, generator, request, public):
    """Postprocessing hook: every API operation may answer with problem details."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", ()):
                if parameter["in"] == "path" and parameter["name"] == "org":
                    parameter["schema"]["pattern"] = SLUG_PATTERN
            responses = operation.setdefault("responses", {})
            for code in _error_codes(method, operation):
                responses.setdefault(
                    str(code),
                    {
                        "description": TITLES[code],
                        "content": {PROBLEM_JSON: {"schema": PROBLEM_REF}},
                    },
                )
    return result
