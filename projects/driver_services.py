"""Changing a box of a driver diagram in place (adding and removing are in services.py)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from audit import services as audit
from ideas.models import Idea
from organisations import permissions
from organisations.models import Membership
from projects.models import DriverNode
from projects.services import _require_project_editor


@transaction.atomic
def driver_node_update(
    *, member: Membership, node: DriverNode, text: str, idea: Idea | None = None
) -> DriverNode:
    """Change what a box says (and, for a change idea, the staff idea it is)."""
    project = node.project
    _require_project_editor(member, project)
    permissions.require_same_organisation(member.organisation_id, idea, field="idea")
    if idea is not None and node.level != DriverNode.Level.CHANGE:
        raise ValidationError({"idea": "Only a change idea can be a staff idea."})
    if idea is not None and not project.ideas.filter(pk=idea.pk).exists():
        raise ValidationError({"idea": "Choose an idea linked to this project."})
    text = text.strip() or (idea.title[:300] if idea else "")
    if not text:
        raise ValidationError({"text": "Write what this box says."})
    stored = DriverNode.objects.select_for_update(of=("self",)).get(pk=node.pk)
    before = {"text": stored.text, "idea": str(stored.idea_id or "")}
    after = {"text": text, "idea": str(idea.pk if idea else "")}
    if before != after:
        stored.text, stored.idea = text, idea
        stored.save(update_fields=["text", "idea"])
        audit.record(
            member,
            "changed a box of the driver diagram",
            project=project,
            before={stored.level: before["text"]},
            after={stored.level: text},
        )
    return stored
