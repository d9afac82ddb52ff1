from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from users.mfa import needs_mfa_setup

from .models import Role

ROLE_RANK = {Role.STAFF: 0, Role.QI_LEAD: 1, Role.ORG_ADMIN: 2}


def has_role(membership, role: str) -> bool:
    return membership is not None and ROLE_RANK[membership.role] >= ROLE_RANK[role]


def role_required(role: str):
    """Let members with at least `role` through; privileged roles must have set up MFA.

    The tenant middleware has already turned non-members away with a 404.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = request.membership
            if not has_role(membership, role):
                raise PermissionDenied("You need a different role for this page.")
            if needs_mfa_setup(request.user, membership=membership):
                messages.info(
                    request,
                    "Set up two-factor authentication to continue: your role can see "
                    "and change other people's information.",
                )
                return redirect("mfa_activate_totp")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
