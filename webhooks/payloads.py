"""What a webhook says about an idea or a project: the same for every receiver.

Anonymity: a payload never carries an author, for any idea (so an anonymous idea
does not stand out by a missing field), nor a time of day: dates only, in London
time, as on the pages. The `webhook-timestamp` header is the moment of the delivery,
not of the idea; and `idea.shared` for an anonymous idea is only ever created by the
daily batch (webhooks.services.anonymous_ideas_announce), never at the moment it is
shared.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import Event


def _link(name: str, **kwargs) -> str:
    return settings.SITE_URL + reverse(name, kwargs=kwargs)


def _day(moment) -> str | None:
    return timezone.localdate(moment).isoformat() if moment else None


def idea_data(idea) -> dict:
    ward = idea.ward
    site = ward.site if ward is not None else idea.site
    return {
        "id": str(idea.pk),
        "title": idea.title,
        "kind": idea.kind,
        "status": idea.status,
        "category": idea.category.name,
        "ward": ward.name if ward is not None else None,
        "site": site.name if site is not None else None,
        "shared_on": _day(idea.created_at),
        "url": _link("ideas:detail", org_slug=idea.organisation.slug, idea_id=idea.pk),
    }


def project_data(project) -> dict:
    return {
        "id": project.pk,
        "title": project.title,
        "stage": project.stage,
        "team": project.team.name,
        "url": _link(
            "projects:project_detail", org_slug=project.organisation.slug, project_id=project.pk
        ),
    }


def envelope(event: str, organisation, data: dict) -> dict:
    """The Standard Webhooks shape: `type` and `data`, with the day instead of a timestamp."""
    return {
        "type": event,
        "date": timezone.localdate().isoformat(),
        "organisation": organisation.slug,
        "data": data,
    }


def idea_shared(idea) -> dict:
    payload = envelope(Event.IDEA_SHARED, idea.organisation, {"idea": idea_data(idea)})
    payload["date"] = _day(idea.created_at)
    return payload


def idea_status_changed(event: str, idea, *, from_status: str, to_status: str) -> dict:
    data = {"idea": idea_data(idea), "from_status": from_status, "to_status": to_status}
    return envelope(event, idea.organisation, data)


def project_stage_changed(project, *, from_stage: str, to_stage: str) -> dict:
    data = {"project": project_data(project), "from_stage": from_stage, "to_stage": to_stage}
    return envelope(Event.PROJECT_STAGE_CHANGED, project.organisation, data)


def test_event(organisation) -> dict:
    return envelope(Event.TEST, organisation, {"message": "A test event from ImproveWell."})
