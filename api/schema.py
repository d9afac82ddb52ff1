"""What drf-spectacular needs to describe the token and the Idempotency-Key header."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import SAFE_METHODS


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
