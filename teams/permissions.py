from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from users.mfa import needs_mfa_setup

from .services import can_triage


def triage_required(view):
    """QI leads, organisation admins and members of a team; privileged roles need MFA."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        membership = request.membership
        if not can_triage(membership):
            raise PermissionDenied("Only QI leads and team members triage ideas.")
        if needs_mfa_setup(request.user, membership=membership):
            messages.info(request, "Set up two-factor authentication to continue.")
            return redirect("mfa_activate_totp")
        return view(request, *args, **kwargs)

    return wrapper
