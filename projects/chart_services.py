"""Writes on what a measure's charts say: change points (re-baselining) and notes on points.

Like projects/services.py, each runs in a transaction, checks that the member may edit
the project and records an audit event.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from audit import services as audit
from improvewell.validators import single_line
from organisations import permissions
from organisations.models import Membership
from projects.models import (
    CHANGE_LABEL_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    ChangePoint,
    Measure,
    MeasurePoint,
    PDSACycle,
)
from projects.services import _require_project_editor


def _check_text(text: str, *, field: str, max_length: int, required: str | None) -> str:
    text = " ".join(text.split())  # one line: a label or note sits on the chart
    if not text and required:
        raise ValidationError({field: required})
    if len(text) > max_length:
        raise ValidationError({field: f"Use {max_length} characters or fewer."})
    try:
        single_line(text)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc
    return text


@transaction.atomic
def change_point_add(
    *,
    member: Membership,
    measure: Measure,
    date: date,
    label: str,
    cycle: PDSACycle | None = None,
) -> ChangePoint:
    """Mark where the process changed: the measure's limits are worked out again from
    the first point on or after `date`. A label is taken from the PDSA cycle if none is given."""
    _require_project_editor(member, measure.project)
    permissions.require_same_organisation(member.organisation_id, cycle, field="cycle")
    if cycle is not None and cycle.project_id != measure.project_id:
        raise ValidationError({"cycle": "Choose a PDSA cycle of this project."})
    if not label.strip() and cycle is not None:
        label = f"PDSA {cycle.number}: {cycle.change}"[:CHANGE_LABEL_MAX_LENGTH]
    label = _check_text(
        label,
        field="label",
        max_length=CHANGE_LABEL_MAX_LENGTH,
        required="Give the change a short label, for example “Second trolley”.",
    )
    # Lock the measure so that two people marking the same day get one change point.
    Measure.objects.select_for_update(of=("self",)).get(pk=measure.pk)
    if ChangePoint.objects.filter(measure=measure, date=date).exists():
        raise ValidationError({"date": f"There is already a change marked on {date:%d %B %Y}."})
    change = ChangePoint.objects.create(
        organisation_id=measure.organisation_id,
        measure=measure,
        date=date,
        label=label,
        cycle=cycle,
    )
    audit.record(
        member,
        "marked a change point",
        project=measure.project,
        after={"measure": measure.name, "date": str(date), "label": label},
    )
    return change


@transaction.atomic
def change_point_remove(*, member: Membership, change: ChangePoint) -> None:
    """Remove a change point: the phases either side are charted as one again."""
    measure = change.measure
    _require_project_editor(member, measure.project)
    audit.record(
        member,
        "removed a change point",
        project=measure.project,
        before={"measure": measure.name, "date": str(change.date), "label": change.label},
    )
    change.delete()


@transaction.atomic
def point_note_set(*, member: Membership, point: MeasurePoint, note: str) -> MeasurePoint:
    """Add, change or (with an empty note) remove the note on a data point."""
    measure = point.measure
    _require_project_editor(member, measure.project)
    note = _check_text(note, field="note", max_length=NOTE_MAX_LENGTH, required=None)
    stored = MeasurePoint.objects.select_for_update(of=("self",)).get(pk=point.pk)
    if stored.note == note:
        return stored
    action = "removed a note" if not note else "changed a note" if stored.note else "added a note"
    audit.record(
        member,
        action,
        project=measure.project,
        before={"measure": measure.name, "date": str(stored.date), "note": stored.note},
        after={"measure": measure.name, "date": str(stored.date), "note": note},
    )
    stored.note = note
    stored.save(update_fields=["note"])
    return stored
