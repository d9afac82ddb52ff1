"""What webhooks does when ideas and projects announce a change (connected in apps.py).

Each receiver runs inside the service's transaction: the deliveries are written with
the change, or not at all, and sent once it commits.
"""

import functools

from ideas.models import Status

from . import payloads, services
from .models import Event


def idea_shared(sender, *, idea, **kwargs):
    """A named idea is announced at once. Anonymity: an anonymous idea is not, and
    nothing is written now: the daily batch announces it from the next day
    (services.anonymous_ideas_announce), so no row or request pins down when it was shared.
    """
    if idea.is_anonymous:
        return
    services.announce(
        idea.organisation,
        Event.IDEA_SHARED,
        functools.partial(payloads.idea_shared, idea),
        subject_id=idea.pk,
    )


def idea_status_changed(sender, *, idea, from_status, to_status, **kwargs):
    events = [Event.IDEA_STATUS_CHANGED]
    if to_status == Status.IMPLEMENTED:
        events.append(Event.IDEA_IMPLEMENTED)
    for event in events:
        services.announce(
            idea.organisation,
            event,
            functools.partial(
                payloads.idea_status_changed,
                event,
                idea,
                from_status=from_status,
                to_status=to_status,
            ),
            subject_id=idea.pk,
        )


def project_stage_changed(sender, *, project, from_stage, to_stage, **kwargs):
    services.announce(
        project.organisation,
        Event.PROJECT_STAGE_CHANGED,
        functools.partial(
            payloads.project_stage_changed, project, from_stage=from_stage, to_stage=to_stage
        ),
        subject_id=project.pk,
    )
