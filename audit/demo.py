"""Demo data: a week of the audit log's other kinds of entry (sign-ins, a role change,
a settings change, a refused page), beside the triage and project entries the other
demo modules write through their services.

Idempotent: an organisation whose log has a sign-in gets nothing more.
"""

from datetime import timedelta

from django.utils import timezone

from organisations.models import Membership

from .models import AuditEvent, Kind


def seed_audit(organisation, *, admin: Membership, staff: Membership, lead: Membership) -> None:
    if AuditEvent.objects.filter(organisation=organisation, kind=Kind.SIGN_IN).exists():
        return
    now = timezone.now()
    rows = [
        (6, admin.user_id, Kind.SIGN_IN, "signed in", {}, {}, None, ""),
        (
            6,
            admin.user_id,
            Kind.ADMIN,
            "changed concern settings",
            {"urgent response target days": 3},
            {"urgent response target days": 2},
            None,
            "",
        ),
        (4, staff.user_id, Kind.SIGN_IN, "signed in", {}, {}, None, ""),
        (
            4,
            staff.user_id,
            Kind.REFUSED,
            "was refused",
            {},
            {"method": "GET", "route": "/<slug:org_slug>/dashboards/", "reason": ""},
            None,
            "dashboards:overview",
        ),
        (
            9,
            admin.user_id,
            Kind.ROLE,
            "changed role",
            {"role": "Staff"},
            {"role": lead.get_role_display()},
            lead.user_id,
            "",
        ),
    ]
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organisation=organisation,
            created_at=now - timedelta(days=days_ago, hours=3),
            actor_id=actor,
            kind=kind,
            action=action,
            before=before,
            after=after,
            target_user_id=target,
            subject=subject,
        )
        for days_ago, actor, kind, action, before, after, target, subject in rows
    )
