from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings

from organisations.models import Role

PRIVILEGED_ROLES = (Role.QI_LEAD, Role.ORG_ADMIN)


def needs_mfa_setup(user, *, membership=None, superuser=False) -> bool:
    """True when this person must set up two-factor authentication before going on.

    QI leads, organisation admins and platform admins need it for triage,
    dashboards, management and the admin; everyone else does not.
    """
    if not settings.REQUIRE_MFA:
        return False
    privileged = (superuser and user.is_staff) or (
        membership is not None and membership.role in PRIVILEGED_ROLES
    )
    return privileged and not is_mfa_enabled(user)


class MFARequired(Exception):
    """Raised by a view that needs two-factor authentication set up first; the tenant
    middleware turns it into a redirect to the set-up page."""


def require_mfa(request) -> None:
    if needs_mfa_setup(request.user, membership=getattr(request, "membership", None)):
        raise MFARequired
