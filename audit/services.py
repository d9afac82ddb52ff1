"""Writes to the audit log. Each entry is written inside the caller's transaction.

Anonymity: an entry about an anonymous idea never names its submitter (`record`
refuses before/after values that would) and keeps its day, not its time, like every
other row about an anonymous idea (ideas/anonymity.py's `clock`).
"""

from django.utils import timezone

from organisations.models import Membership, Organisation

from .models import AuditEvent, Kind

# Keys that would name or link the person who shared an idea.
AUTHOR_KEYS = frozenset(
    {
        "author",
        "author_id",
        "author_name",
        "author_email",
        "submitter",
        "submitter_token",
        "submitted_by",
        "recipient",
        "recipient_token",
        "email",
    }
)


class AnonymityError(ValueError):
    """An entry about an anonymous idea tried to say who shared it."""


def _start_of_day(moment):
    # The same day boundary as ideas.anonymity.start_of_day (Europe/London), which this
    # lower layer cannot import.
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def _refuse_author(idea, values: dict) -> None:
    token = getattr(idea, "submitter_token", None)
    for key, value in values.items():
        if str(key).lower() in AUTHOR_KEYS or (token and token in str(value)):
            raise AnonymityError(f"An audit entry about an anonymous idea cannot record {key!r}.")


def record(
    member: Membership,
    action: str,
    *,
    idea=None,
    project=None,
    before=None,
    after=None,
    kind: str | None = None,
    subject: str = "",
    target_user=None,
) -> AuditEvent:
    """Write who did what, inside the caller's transaction, with the values before and after."""
    return record_for(
        organisation=member.organisation_id,
        actor=member.user_id,
        action=action,
        idea=idea,
        project=project,
        before=before,
        after=after,
        kind=kind,
        subject=subject,
        target_user=target_user,
    )


def record_for(
    *,
    organisation: Organisation | int,
    actor,
    action: str,
    idea=None,
    project=None,
    before=None,
    after=None,
    kind: str | None = None,
    subject: str = "",
    target_user=None,
) -> AuditEvent:
    """`record` for an actor who is not (or not only) a member: a platform admin, a sign-in.

    `actor` and `target_user` are users or user ids; the entry names nobody else.
    """
    before, after = dict(before or {}), dict(after or {})
    anonymous = idea is not None and idea.is_anonymous
    if anonymous:
        _refuse_author(idea, before)
        _refuse_author(idea, after)
    if kind is None:
        kind = Kind.IMPROVEMENT if idea is not None or project is not None else Kind.ADMIN
    now = timezone.now()
    return AuditEvent.objects.create(
        organisation_id=getattr(organisation, "pk", organisation),
        kind=kind,
        actor_id=getattr(actor, "pk", actor),
        target_user_id=getattr(target_user, "pk", target_user),
        idea=idea,
        project=project,
        action=action[:60],
        subject=subject[:200],
        before=before,
        after=after,
        created_at=_start_of_day(now) if anonymous else now,
        date_only=anonymous,
    )


def record_refusal(request, reason: str = "") -> AuditEvent | None:
    """A member was refused a page or endpoint (403): who, which route, which method.

    The route's pattern, never its path: the ids in a path (an idea's, say) are not
    kept, so a refusal cannot tie a person to an idea.
    """
    membership = getattr(request, "membership", None)
    match = getattr(request, "resolver_match", None)
    if membership is None or match is None:
        return None
    return record(
        membership,
        "was refused",
        kind=Kind.REFUSED,
        subject=match.view_name or "",
        after={"method": request.method, "route": "/" + (match.route or ""), "reason": reason},
    )
