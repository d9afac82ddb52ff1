"""Demo data for the organisation admin's screens: two past staff imports (one applied,
one refused; rows only, no accounts are made), two invitations waiting to be accepted
(their emails marked as sent days ago: none is sent) and single sign-on set up but
switched off. Idempotent: each kind is made only where there is none yet."""

from datetime import timedelta

from django.utils import timezone

from .models import ImportJob, Invitation, OrganisationSSO, Role
from .sso import sso_configure

# Made-up identifiers in the shape Entra ID uses: no directory or app has them, and no
# secret is stored, so the demo's sign-in with NHSmail cannot be switched on as it is.
DEMO_SSO_TENANT = "demo-trust.nhs.uk"
DEMO_SSO_CLIENT_ID = "00000000-0000-4000-8000-000000000000"


# At a reserved, made-up domain: nobody receives anything.
DEMO_INVITATIONS = [
    ("ravi.locum@example.nhs.uk", Role.STAFF, 2),
    ("qi.fellow@example.nhs.uk", Role.QI_LEAD, 5),
]


def seed_invitations(organisation, *, admin) -> None:
    if Invitation.objects.filter(organisation=organisation).exists():
        return
    now = timezone.now()
    for email, role, days_ago in DEMO_INVITATIONS:
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, role=role, invited_by=admin.user
        )
        sent = now - timedelta(days=days_ago)
        Invitation.objects.filter(pk=invitation.pk).update(
            created_at=sent,
            email_sent_at=sent,
            expires_at=invitation.expires_at - timedelta(days=days_ago),
        )


def seed_sso(organisation, *, admin) -> None:
    if OrganisationSSO.objects.filter(organisation=organisation).exists():
        return
    sso_configure(
        organisation=organisation,
        tenant=DEMO_SSO_TENANT,
        client_id=DEMO_SSO_CLIENT_ID,
        client_secret="",
        is_enabled=False,
        allow_signup=False,
        by=admin,
    )


def seed_staff_imports(organisation, *, admin) -> None:
    if ImportJob.objects.filter(organisation=organisation).exists():
        return
    now = timezone.now()
    ImportJob.objects.create(
        organisation=organisation,
        created_by=admin.user,
        applied_by=admin.user,
        mode=ImportJob.Mode.CREATE,
        state=ImportJob.State.APPLIED,
        file_name="ESR export - new starters.csv",
        total=42,
        done=42,
        counts={"added": 38, "updated": 3, "invited": 0, "unchanged": 1, "errors": 0, "notes": 0},
        finished_at=now - timedelta(days=6),
    )
    ImportJob.objects.create(
        organisation=organisation,
        created_by=admin.user,
        mode=ImportJob.Mode.INVITE,
        state=ImportJob.State.REJECTED,
        file_name="bank staff.csv",
        total=12,
        counts={"added": 0, "updated": 0, "invited": 10, "unchanged": 0, "errors": 2, "notes": 0},
        errors=[
            "Row 5: 'j.smith@' is not an email address.",
            f"Row 9: 'Ward 99' is not a ward of {organisation.name}.",
        ],
    )
