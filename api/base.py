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
  (organisations.mfa), as organisations/middleware.py does for privileged pages;
- an `Idempotency-Key` on any change: the first answer is kept and replayed for a
  repeat (api/idempotency.py), claimed inside the request's transaction.

`ApiViewMixin`, under it and under /api/v1/me/, gives every read an ETag and a 304 for
`If-None-Match` (api/conditional.py). Rate limits (api/throttling.py) and `?ordering=`
(api/ordering.py, for list views with `ordering_fields`) are REST_FRAMEWORK's defaults,
so they reach every DRF view without code of its own.
"""

from contextlib import ExitStack

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS

from audit.services import record_refusal
from improvewell.rls import tenant_scope
from organisations.mfa import needs_mfa_setup
from organisations.selectors import membership_for_request
from organisations.tenancy import respond_or_roll_back

from . import conditional, idempotency
from .callers import token_of
from .models import Scope

__all__ = ["ApiViewMixin", "OrganisationViewMixin", "token_of"]


class ApiViewMixin:
    """What every endpoint of ours adds to DRF's APIView: ETags on reads."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        return conditional.with_etag(request, response)


class OrganisationViewMixin(ApiViewMixin):
    # A predicate from organisations.permissions for endpoints only some roles may use.
    privileged = None
    # This request's claim on its Idempotency-Key, if it sent one with a change.
    idempotency_record = None

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
        # Last, so that only a request allowed to do the work claims its key.
        self.idempotency_record = idempotency.claim(request, membership.organisation)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        if isinstance(exc, exceptions.PermissionDenied | DjangoPermissionDenied):
            # In the dispatch's transaction, which a 403 commits.
            record_refusal(self.request._request, str(exc)[:200])
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.idempotency_record is not None:
            idempotency.settle(self.idempotency_record, response)
        return response

    @property
    def membership(self):
        return self.request.membership

    @property
    def organisation(self):
        return self.request.organisation
