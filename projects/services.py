"""Writes for QI projects: the project, its ideas, driver diagram, measures and PDSA cycles.

Each runs in a transaction, takes the acting member (whose organisation bounds
everything), checks they may edit the project and records an audit event.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from audit import services as audit
from ideas import services as idea_services
from ideas.models import Idea, Notification
from organisations import permissions
from organisations.models import Membership, Ward
from projects import kinds, signals
from projects.models import (
    DriverNode,
    Measure,
    MeasurePoint,
    PDSACycle,
    Project,
    ProjectUpdate,
    Stage,
)
from teams.models import Team


def _require_project_editor(member: Membership, project: Project):
    permissions.require_same_organisation(member.organisation_id, project)
    permissions.require(
        permissions.can_edit_project(member, project),
        "Only QI leads, organisation admins and the project team's members can change this.",
    )


@transaction.atomic
def project_create(
    *,
    member: Membership,
    title: str,
    aim: str,
    team: Team,
    wards: list[Ward],
    ideas: list[Idea],
    start_date: date | None = None,
    target_date: date | None = None,
) -> Project:
    permissions.require_same_organisation(member.organisation_id, team, field="team")
    permissions.require_same_organisation(member.organisation_id, *wards, field="wards")
    permissions.require_same_organisation(member.organisation_id, *ideas, field="ideas")
    _check_dates(start_date, target_date)
    permissions.require(
        permissions.can_work_on_projects(member),
        "Only QI leads, organisation admins and team members start projects.",
    )
    if not permissions.can_run_projects_for(member, team):
        raise ValidationError({"team": "Choose a team you are a member of."})
    project = Project.objects.create(
        organisation=member.organisation,
        title=title.strip(),
        aim=aim.strip(),
        team=team,
        start_date=start_date,
        target_date=target_date,
    )
    project.wards.set(wards)
    audit.record(member, "created project", project=project, after={"title": project.title})
    for idea in ideas:
        project_link_idea(member=member, project=project, idea=idea)
    return project


def _check_dates(start_date, target_date):
    if start_date and target_date and target_date < start_date:
        raise ValidationError({"target_date": "The target date must be after the start date."})


@transaction.atomic
def project_link_idea(*, member: Membership, project: Project, idea: Idea) -> None:
    _require_project_editor(member, project)
    permissions.require_same_organisation(member.organisation_id, idea, field="ideas")
    # Linking tells the idea's submitter: only someone who triages the idea may do it.
    if not permissions.can_triage_idea(member, idea):
        raise ValidationError({"ideas": "You can only link ideas that you triage."})
    if project.ideas.filter(pk=idea.pk).exists():
        return
    project.ideas.add(idea)
    audit.record(member, "linked idea", project=project, idea=idea, after={"idea": idea.title})
    idea_services.notify_submitter(
        idea,
        type=Notification.Type.PROJECT,
        text=f"“{idea.title}” is now part of the QI project “{project.title}”",
    )


@transaction.atomic
def project_update(
    *,
    member: Membership,
    project: Project,
    title: str,
    aim: str,
    stage: str,
    team: Team,
    wards: list[Ward],
    start_date: date | None,
    target_date: date | None,
) -> Project:
    """Edit a project. A change of stage is told to the submitters of its linked ideas."""
    _require_project_editor(member, project)
    permissions.require_same_organisation(member.organisation_id, team, field="team")
    permissions.require_same_organisation(member.organisation_id, *wards, field="wards")
    _check_dates(start_date, target_date)
    if team.pk != project.team_id and not permissions.can_run_projects_for(member, team):
        raise ValidationError({"team": "Choose a team you are a member of."})
    if stage not in Stage.values:
        raise ValidationError({"stage": "Choose a stage."})
    project = Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
    fields = ("title", "aim", "stage", "team_id", "start_date", "target_date")
    before = {f: str(getattr(project, f)) for f in fields}
    project.title, project.aim, project.stage = title.strip(), aim.strip(), stage
    project.team, project.start_date, project.target_date = team, start_date, target_date
    project.save()
    project.wards.set(wards)
    after = {f: str(getattr(project, f)) for f in fields}
    changed = {k: v for k, v in after.items() if before[k] != v}
    if changed:
        audit.record(
            member,
            "updated project",
            project=project,
            before={k: before[k] for k in changed},
            after=changed,
        )
    if before["stage"] != stage:
        for idea in project.ideas.all():
            idea_services.notify_submitter(
                idea,
                type=Notification.Type.PROJECT,
                text=f"The QI project “{project.title}” is now at the "
                f"{Stage(stage).label.lower()} stage",
            )
        signals.project_stage_changed.send(
            sender=Project, project=project, from_stage=before["stage"], to_stage=stage
        )
    return project


@transaction.atomic
def project_post_update(*, member: Membership, project: Project, text: str) -> ProjectUpdate:
    """Post news on a project; the submitters of its linked ideas are told."""
    _require_project_editor(member, project)
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the update."})
    update = ProjectUpdate.objects.create(
        organisation=member.organisation, project=project, author=member.user, text=text
    )
    audit.record(member, "posted an update", project=project, after={"update": text[:200]})
    for idea in project.ideas.all():
        idea_services.notify_submitter(
            idea,
            type=Notification.Type.PROJECT,
            text=f"News from the QI project “{project.title}”",
        )
    return update


PARENT_LEVEL = {
    DriverNode.Level.PRIMARY: None,
    DriverNode.Level.SECONDARY: DriverNode.Level.PRIMARY,
    DriverNode.Level.CHANGE: DriverNode.Level.SECONDARY,
}


@transaction.atomic
def driver_node_add(
    *,
    member: Membership,
    project: Project,
    level: str,
    text: str,
    parent: DriverNode | None = None,
    idea: Idea | None = None,
) -> DriverNode:
    _require_project_editor(member, project)
    permissions.require_same_organisation(member.organisation_id, idea, field="idea")
    if level not in PARENT_LEVEL:
        raise ValidationError({"level": "Choose what kind of box this is."})
    expected = PARENT_LEVEL[level]
    if expected is None and parent is not None:
        raise ValidationError({"parent": "A primary driver hangs from the aim, not another box."})
    if expected is not None and (
        parent is None or parent.project_id != project.pk or parent.level != expected
    ):
        label = DriverNode.Level(expected).label.lower()
        raise ValidationError({"parent": f"Choose the {label} this belongs to."})
    if level != DriverNode.Level.CHANGE and idea is not None:
        raise ValidationError({"idea": "Only a change idea can be a staff idea."})
    text = text.strip() or (idea.title if idea else "")
    if not text:
        raise ValidationError({"text": "Write what this box says."})
    node = DriverNode.objects.create(
        organisation=member.organisation,
        project=project,
        parent=parent,
        level=level,
        text=text,
        idea=idea,
        position=DriverNode.objects.filter(project=project, parent=parent).count(),
    )
    audit.record(member, "added to driver diagram", project=project, after={level: text})
    return node


@transaction.atomic
def driver_node_remove(*, member: Membership, node: DriverNode) -> None:
    _require_project_editor(member, node.project)
    audit.record(
        member, "removed from driver diagram", project=node.project, before={node.level: node.text}
    )
    node.delete()


def _check_measure(fields: dict, measure: Measure | None) -> None:
    """The kind's rules (projects/kinds.py); a measure with data keeps its kind."""
    kind = fields.get("kind", measure.kind if measure else Measure.Kind.MEASUREMENT)
    if not kinds.needs_denominator(kind):
        fields["denominator_name"] = ""
    if kind != Measure.Kind.RATE:
        fields["rate_per"] = None
    errors = kinds.measure_errors(
        kind=kind,
        rate_per=fields.get("rate_per"),
        denominator_name=fields.get("denominator_name") or "",
    )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measure_save(*, member: Membership, project: Project, measure: Measure | None = None, **fields):
    """Add or change a measure. Its kind is fixed once it has data: the points would not fit."""
    _require_project_editor(member, project)
    _check_measure(fields, measure)
    if measure is None:
        measure = Measure.objects.create(
            organisation=member.organisation, project=project, **fields
        )
        audit.record(member, "added measure", project=project, after={"measure": measure.name})
        return measure
    # Read the stored values: a bound ModelForm has already changed `measure` in memory.
    stored = Measure.objects.select_for_update(of=("self",)).get(pk=measure.pk)
    has_data = MeasurePoint.objects.filter(measure=stored).exists()
    if has_data and fields.get("kind", stored.kind) != stored.kind:
        raise ValidationError(
            {"kind": "This measure has data, so its kind cannot change. Add a new measure instead."}
        )
    before = {k: str(getattr(stored, k)) for k in fields}
    for key, value in fields.items():
        setattr(measure, key, value)
    measure.save()
    if has_data and measure.kind == Measure.Kind.RATE and measure.rate_per != stored.rate_per:
        MeasurePoint.objects.filter(measure=measure).update(
            value=F("numerator") / F("denominator") * measure.rate_per
        )
    audit.record(
        member,
        "changed measure",
        project=project,
        before=before,
        after={k: str(v) for k, v in fields.items()},
    )
    return measure


def _points_in(measure: Measure, points: list[tuple]) -> list[MeasurePoint]:
    """Rows for points given as (date, value) or, for rates and percentages,
    (date, numerator, denominator); every point is checked before any is saved."""
    names = kinds.columns(measure.kind)
    rows, errors, seen = [], [], set()
    for when, *numbers in points:
        if when in seen:  # one point a date: the database would refuse the second
            errors.append(f"{when:%d %B %Y}: this date is given more than once.")
            continue
        seen.add(when)
        given = dict(zip(names, numbers, strict=False)) if len(numbers) == len(names) else {}
        problems = kinds.point_errors(measure.kind, given)
        if problems:
            errors += [f"{when:%d %B %Y}: {message}" for message in problems.values()]
            continue
        rows.append(
            MeasurePoint(
                organisation_id=measure.organisation_id,
                measure=measure,
                date=when,
                value=kinds.charted_value(measure, given),
                numerator=given.get("numerator"),
                denominator=given.get("denominator"),
            )
        )
    if errors:
        raise ValidationError({"points": errors})
    return rows


@transaction.atomic
def measure_points_add(*, member: Membership, measure: Measure, points: list[tuple]) -> int:
    """Add data points, all or nothing: a date the measure already has is an error."""
    _require_project_editor(member, measure.project)
    rows = _points_in(measure, points)
    existing = set(
        MeasurePoint.objects.filter(measure=measure, date__in=[r.date for r in rows]).values_list(
            "date", flat=True
        )
    )
    if existing:
        days = ", ".join(f"{d:%d %B %Y}" for d in sorted(existing)[:5])
        raise ValidationError({"points": f"This measure already has a value for {days}."})
    MeasurePoint.objects.bulk_create(rows)
    audit.record(
        member,
        "added data",
        project=measure.project,
        after={"measure": measure.name, "points": len(rows)},
    )
    return len(rows)


@transaction.atomic
def measure_point_remove(*, member: Membership, point: MeasurePoint) -> None:
    measure = point.measure
    _require_project_editor(member, measure.project)
    audit.record(
        member,
        "removed data point",
        project=measure.project,
        before={"measure": measure.name, "date": str(point.date), "value": point.value},
    )
    point.delete()


@transaction.atomic
def pdsa_save(
    *, member: Membership, project: Project, cycle: PDSACycle | None = None, **fields
) -> PDSACycle:
    _require_project_editor(member, project)
    if (
        fields.get("end_date")
        and fields.get("start_date")
        and fields["end_date"] < fields["start_date"]
    ):
        raise ValidationError({"end_date": "The end date must be after the start date."})
    if cycle is None:
        # Lock the project so that two people adding a cycle get numbers 1 and 2, not 1 and 1.
        Project.objects.select_for_update(of=("self",)).get(pk=project.pk)
        number = (
            PDSACycle.objects.filter(project=project)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
            or 0
        ) + 1
        cycle = PDSACycle.objects.create(
            organisation=member.organisation, project=project, number=number, **fields
        )
        audit.record(
            member,
            "added PDSA cycle",
            project=project,
            after={"number": number, "change": cycle.change},
        )
        return cycle
    stored = PDSACycle.objects.select_for_update(of=("self",)).get(pk=cycle.pk)
    before = {k: str(getattr(stored, k)) for k in fields}
    for key, value in fields.items():
        setattr(cycle, key, value)
    cycle.save()
    changed = {k: str(v) for k, v in fields.items() if before[k] != str(v)}
    if changed:
        audit.record(
            member,
            f"updated PDSA cycle {cycle.number}",
            project=project,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return cycle
