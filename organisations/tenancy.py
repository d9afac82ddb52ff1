"""Tenancy: every request, task and command runs inside one organisation's scope.

django-scopes makes an unscoped query on tenant data raise instead of leaking rows
of another organisation, and PostgreSQL's row-level security (improvewell/rls.py)
follows the same scope, so the database itself returns no other organisation's rows.
The request scope is opened here, from the URL; Celery tasks and management commands
open it from an organisation id or slug.
"""

from functools import lru_cache

from celery.contrib.django.task import DjangoTask
from django.contrib.auth.views import redirect_to_login
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import Resolver404, resolve

from improvewell.rls import cross_organisation, tenant_scope

from .mfa import needs_mfa_setup
from .models import Organisation
from .selectors import membership_for_request


class OrganisationMiddleware:
    """Resolve /<org_slug>/… to an organisation the user belongs to, or 404.

    The whole response, templates included, is produced inside the scope and inside
    one transaction, so the database's organisation setting is sent once per request
    (improvewell/rls.py); a response that is a server error rolls that transaction back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = None
        request.membership = None
        is_admin, org_slug = _route_of(request.path_info)
        if is_admin:
            return self._admin(request)
        if org_slug is None:
            return self.get_response(request)

        if not request.user.is_authenticated:
            # Same answer whether or not the organisation exists.
            return redirect_to_login(request.get_full_path())
        # One transaction from the membership lookup to the response: the lookup does
        # not pay for a transaction of its own (improvewell/rls.py).
        with transaction.atomic():
            membership = membership_for_request(request.user, org_slug)
            if membership is None:
                raise Http404("No such page.")
            request.membership = membership
            request.organisation = membership.organisation
            with tenant_scope(membership.organisation):
                return respond_or_roll_back(self.get_response(request))

    def _admin(self, request):
        user = request.user
        if user.is_authenticated and user.is_staff and needs_mfa_setup(user, superuser=True):
            return redirect("mfa_index")
        # The platform admin works across organisations by design; only staff
        # users (platform admins) get past the admin's own login.
        with transaction.atomic(), cross_organisation():
            return respond_or_roll_back(self.get_response(request))


@lru_cache(maxsize=4096)
def _route_of(path: str) -> tuple[bool, str | None]:
    """(whether it is the platform admin's, the organisation slug) of a path. Resolving
    walks the URL patterns one by one, and the handler does it again for the view: the
    answer for a path never changes while the process runs, so it is worked out once."""
    try:
        match = resolve(path)
    except Resolver404:
        return False, None
    return match.namespace == "admin", match.kwargs.get("org_slug")


def respond_or_roll_back(response):
    # Exceptions become error responses before they reach this middleware, so the
    # transaction would otherwise commit the half-done work of a failed request.
    if response.status_code >= 500:
        transaction.set_rollback(True)
    return response


class OrganisationTask(DjangoTask):
    """Base for tasks about one organisation.

    Send with `organisation_id=` (use `delay_on_commit`); the body receives
    `organisation=` and runs inside that organisation's scope. Tasks take ids,
    never model instances.
    """

    abstract = True
    # The signature seen by senders (organisation_id) differs from the body's.
    typing = False

    def __call__(self, *args, organisation_id, **kwargs):
        organisation = Organisation.objects.get(pk=organisation_id)
        with tenant_scope(organisation):
            return super().__call__(*args, organisation=organisation, **kwargs)


class OrganisationCommand(BaseCommand):
    """Base for management commands about one organisation, chosen with --org SLUG.

    Subclasses define `handle_organisation(organisation, **options)`.
    """

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, metavar="SLUG", help="organisation slug")

    def handle(self, *args, org, **options):
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"No organisation has the slug “{org}”.")
        with tenant_scope(organisation):
            return self.handle_organisation(organisation, *args, **options)
