from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings

from organisations.permissions import PRIVILEGED_ROLES


def needs_mfa_setup(user, *, membership=None, superuser=False) -> bool:
    """True when this person must set up two-factor authentication before going on.

    QI leads, organisation admins and platform admins need it for triage,
    dashboards, management and the admin; everyone else does not. Which pages are
    privileged is marked in the views and enforced by
    `organisations.middleware.TwoFactorMiddleware`.
    """
    if not settings.REQUIRE_MFA:
        return False
    privileged = (superuser and user.is_staff) or (
        membership is not None and membership.role in PRIVILEGED_ROLES
    )
    if not privileged:
        return False
    if membership is not None and membership.user_id == user.pk:
        enabled = getattr(membership, "has_mfa", None)
        if enabled is not None:
            return not enabled
    return not is_mfa_enabled(user)
