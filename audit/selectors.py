"""Reads of the audit log, and how an entry is shown (on the page and in the CSV alike).

Anonymity: an entry about an anonymous idea shows the idea's title and never an author
(an anonymous idea has none), and its day without a time (`date_only`).
"""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from .models import AuditEvent, Kind

FORMER_MEMBER = "A former member of staff"


def audit_trail(*, idea=None, project=None, limit=100):
    events = AuditEvent.objects.select_related("actor")
    events = events.filter(idea=idea) if idea is not None else events.filter(project=project)
    return list(events[:limit])


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_log(organisation, *, kind="", actor="", date_from=None, date_to=None):
    """The organisation's log, newest first, filtered; one query whatever the page shows."""
    events = AuditEvent.objects.filter(organisation=organisation).select_related(
        "actor", "target_user", "idea", "project"
    )
    if kind:
        events = events.filter(kind=kind)
    if actor:
        events = events.filter(Q(actor__name__icontains=actor) | Q(actor__email__icontains=actor))
    if date_from:
        events = events.filter(created_at__gte=_start_of(date_from))
    if date_to:
        events = events.filter(created_at__lt=_start_of(date_to + timedelta(days=1)))
    return events.order_by("-created_at", "-id")


def when(event: AuditEvent) -> tuple[str, str]:
    """(date, time) as shown: no time for an entry that keeps only its day."""
    moment = timezone.localtime(event.created_at)
    return moment.strftime("%Y-%m-%d"), "" if event.date_only else moment.strftime("%H:%M")


def who(event: AuditEvent) -> str:
    if event.actor_id is None:
        return "ImproveWell"
    name = str(event.actor) if event.actor else FORMER_MEMBER
    return f"{name} (platform admin)" if event.kind == Kind.PLATFORM else name


def about(event: AuditEvent) -> str:
    """What the entry is about: an idea or project by its title, a person, a subject."""
    parts = []
    if event.idea_id:
        parts.append(f"idea “{event.idea.title}”" if event.idea else "an idea since removed")
    if event.project_id:
        title = event.project.title if event.project else "since removed"
        parts.append(f"project “{title}”")
    if event.target_user_id:
        parts.append(str(event.target_user) if event.target_user else FORMER_MEMBER)
    if event.subject:
        parts.append(event.subject)
    return "; ".join(parts)


def _shown(value) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def changes(event: AuditEvent) -> list[tuple[str, str, str]]:
    """(what, before, after) for every key either side has."""
    keys = list(dict.fromkeys([*event.before, *event.after]))
    return [
        (
            key,
            _shown(event.before.get(key)) if key in event.before else "",
            _shown(event.after.get(key)) if key in event.after else "",
        )
        for key in keys
    ]
