from .models import AuditEvent


def record(member, action: str, *, idea=None, project=None, before=None, after=None):
    """Write who did what, inside the caller's transaction, with the values before and after.

    `member` is the actor's organisations.models.Membership.
    """
    AuditEvent.objects.create(
        organisation_id=member.organisation_id,
        actor=member.user,
        idea=idea,
        project=project,
        action=action,
        before=before or {},
        after=after or {},
    )
