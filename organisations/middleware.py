"""Two-factor authentication before every privileged page, GET included.

Views say which pages are privileged with `organisations.permissions.privileged`;
this one middleware enforces it, so that no view can forget the two-factor check.
It runs after the tenant middleware has resolved `request.membership`.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from organisations.mfa import needs_mfa_setup

from .permissions import privilege_of


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        predicate = privilege_of(view_func, request.method)
        if predicate is None:
            return None
        membership = getattr(request, "membership", None)
        # The role first: someone who may not use the page learns nothing more by
        # setting up two-factor authentication.
        if not predicate(membership):
            raise PermissionDenied("You need a different role for this page.")
        if needs_mfa_setup(request.user, membership=membership):
            messages.info(
                request,
                "Set up two-factor authentication to continue: your role can see and change "
                "other people's information.",
            )
            return redirect("mfa_activate_totp")
        return None
