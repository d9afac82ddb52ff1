from .models import AuditEvent


def audit_trail(*, idea=None, project=None, limit=100):
    events = AuditEvent.objects.select_related("actor")
    events = events.filter(idea=idea) if idea is not None else events.filter(project=project)
    return list(events[:limit])
