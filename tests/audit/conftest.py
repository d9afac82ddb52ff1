import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django_scopes import scopes_disabled

from audit.models import AuditEvent
from tests.factories import UserFactory

LOG_URL = "/city-hospitals/manage/audit/"
EXPORT_URL = "/city-hospitals/manage/audit/export/"


def entries(**filters):
    """The log's rows, oldest first."""
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(**filters)
            .select_related("actor")
            .order_by("created_at", "id")
        )


@pytest.fixture
def platform_admin(db):
    user = UserFactory(
        email="root@improvewell.local", name="Rita Root", is_staff=True, is_superuser=True
    )
    TOTP.activate(user, generate_totp_secret())
    return user
