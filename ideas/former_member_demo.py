"""Demo data: a leaver. One member of the demo trust who shared an idea by name has
left: deactivated by the admin through the service (audited, sessions ended), so the
staff list shows someone deactivated and their idea shows "A former member of staff".
Idempotent: a trust with a deactivated member gets nothing more."""

from organisations.models import Membership, Role
from organisations.services import membership_set_active

from .models import Idea


def seed_leaver(organisation, *, admin: Membership, keep: list[Membership]) -> None:
    """Deactivate the author of the first named idea (by title) who is plain staff and not
    one of `keep` (the demo's logins)."""
    members = Membership.objects.filter(organisation=organisation)
    if members.filter(is_active=False).exists():
        return
    kept = [member.user_id for member in keep]
    idea = (
        Idea.objects.filter(organisation=organisation, is_anonymous=False, author__isnull=False)
        .exclude(author_id__in=kept)
        .filter(
            author__memberships__organisation=organisation,
            author__memberships__role=Role.STAFF,
        )
        .order_by("title")
        .first()
    )
    if idea is None:
        return
    leaver = members.get(user_id=idea.author_id)
    membership_set_active(membership=leaver, is_active=False, by=admin)
