"""The one base of every organisation endpoint: an endpoint cannot forget tenancy.

`OrganisationViewMixin` (like PostHog's team-scoped viewset mixin) owns, for every
request under /api/v1/<org>/:
- the organisation, from the URL, and the caller's active membership of it, through
  the same selector as the web's tenant middleware: an outsider, an unknown
  organisation and a token of another organisation all get the same 404;
- the scope: django-scopes and PostgreSQL's row-level security both see only that
  organisation (`improvewell.rls.tenant_scope`), in one transaction for the request,
  rolled back on a server error, exactly as organisations/tenancy.py does for pages;
- a read token's refusal (403) of anything but GET, HEAD and OPTIONS;
- the role an endpoint needs (`privileged = <predicate of organisations.permissions>`)
  and, for those endpoints, two-factor authentication for the roles that need it
  (organisations.mfa), as organisations/middleware.py does for privileged pages.
"""

from contextlib import ExitStack

from django.db import transaction
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS

from improvewell.rls import tenant_scope
from organisations.mfa import needs_mfa_setup
from organisations.selectors import membership_for_request
from organisations.tenancy import respond_or_roll_back

from .models import PersonalAccessToken, Scope


def token_of(request) -> PersonalAccessToken | None:
    auth = request.auth
    return auth if isinstance(auth, PersonalAccessToken) else None


class OrganisationViewMixin:
    # A predicate from organisations.permissions for endpoints only some roles may use.
    privileged = None

    def dispatch(self, request, *args, **kwargs):
        with transaction.atomic(), ExitStack() as self.scopes:
            return respond_or_roll_back(super().dispatch(request, *args, **kwargs))

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication: 401 before anything
        membership = membership_for_request(request.user, kwargs["org"])
        token = token_of(request)
        if membership is None or (token and token.organisation_id != membership.organisation_id):
            raise exceptions.NotFound("Not found.")
        for target in (request, request._request):
            target.membership = membership
            target.organisation = membership.organisation
        self.scopes.enter_context(tenant_scope(membership.organisation))
        if token and token.scope == Scope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied("This token may only read.")
        if self.privileged is not None:
            if not self.privileged(membership):
                raise exceptions.PermissionDenied("Your role may not use this endpoint.")
            if needs_mfa_setup(request.user, membership=membership):
                raise exceptions.PermissionDenied(
                    "Set up two-factor authentication to use this endpoint."
                )

    @property
    def membership(self):
        return self.request.membership

    @property
    def organisation(self):
        return self.request.organisation
