"""Writes for teams, triage and QI projects.

Every function runs in a transaction, takes the acting member (whose organisation
bounds everything) and records an AuditEvent with the values before and after.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.dateparse import parse_date

from ideas import services as idea_services
from ideas.models import TRANSITIONS, Idea, Notification, Status, Support
from improvewell.validators import measure_value
from organisations import permissions
from organisations.models import Membership, Ward

from .models import (
    AuditEvent,
    DriverNode,
    Measure,
    MeasurePoint,
    PDSACycle,
    Project,
    ProjectUpdate,
    Stage,
    Team,
)


def _audit(member: Membership, action: str, *, idea=None, project=None, before=None, after=None):
    AuditEvent.objects.create(
        organisation_id=member.organisation_id,
        actor=member.user,
        idea=idea,
        project=project,
        action=action,
        before=before or {},
        after=after or {},
    )


def _same_organisation(member: Membership, *objects, field=None):
    for obj in objects:
        if obj is not None and obj.organisation_id != member.organisation_id:
            message = "Choose something from this organisation."
            raise ValidationError({field: message} if field else message)


# Teams ------------------------------------------------------------------------------


@transaction.atomic
def team_save(
    *,
    member: Membership,
    name: str,
    purpose: str,
    wards: list[Ward],
    members: list[Membership],
    team: Team | None = None,
) -> Team:
    _require(permissions.can_manage_teams(member), "Only QI leads and admins manage teams.")
    name = name.strip()
    _same_organisation(member, *wards, field="wards")
    _same_organisation(member, *members, field="members")
    clash = Team.objects.filter(organisation=member.organisation, name__iexact=name)
    if team is not None:
        _same_organisation(member, team)
        clash = clash.exclude(pk=team.pk)
    if clash.exists():
        raise ValidationError({"name": "There is already a team with this name."})
    created = team is None
    if created:
        team = Team.objects.create(organisation=member.organisation, name=name, purpose=purpose)
    else:
        team.name, team.purpose = name, purpose
        team.save(update_fields=["name", "purpose"])
    team.wards.set(wards)
    team.members.set(members)
    return team


def _require(allowed: bool, message: str):
    if not allowed:
        raise PermissionDenied(message)


def _require_project_editor(member: Membership, project: Project):
    _same_organisation(member, project)
    _require(
        permissions.can_edit_project(member, project),
        "Only QI leads, organisation admins and the project team's members can change this.",
    )


def _require_triager(member: Membership, idea: Idea):
    _same_organisation(member, idea)
    _require(
        permissions.can_triage_idea(member, idea),
        "Only QI leads, organisation admins and the idea's team triage it.",
    )


# Triage -------------------------------------------------------------------------------


@transaction.atomic
def idea_assign_team(*, member: Membership, idea: Idea, team: Team | None) -> Idea:
    _require_triager(member, idea)
    _same_organisation(member, team, field="team")
    before = {"team": idea.team.name if idea.team_id else None}
    Idea.objects.filter(pk=idea.pk).update(team=team)
    idea.team = team
    _audit(member, "assigned to team", idea=idea, before=before, after={"team": team and team.name})
    return idea


@transaction.atomic
def idea_triage_status(*, member: Membership, idea: Idea, to_status: str, message: str = ""):
    """Change an idea's status from triage: the workflow, the submitter's message and the audit."""
    _require_triager(member, idea)
    before = {"status": idea.status}
    event = idea_services.idea_change_status(
        member=member, idea=idea, to_status=to_status, message=message
    )
    _audit(member, "changed status", idea=idea, before=before, after={"status": to_status})
    return event


@transaction.atomic
def ideas_bulk_triage(
    *, member: Membership, ideas: list[Idea], team: Team | None = None, review: bool = False
) -> int:
    """Assign several ideas to a team and/or move them to under review, all or nothing."""
    count = 0
    for idea in ideas:
        changed = False
        if team is not None and idea.team_id != team.pk:
            idea_assign_team(member=member, idea=idea, team=team)
            changed = True
        if review and idea.status == Status.SUBMITTED:
            idea_triage_status(member=member, idea=idea, to_status=Status.UNDER_REVIEW)
            changed = True
        count += changed
    return count


@transaction.atomic
def idea_merge(*, member: Membership, idea: Idea, into: Idea, message: str = "") -> Idea:
    """Mark `idea` a duplicate of `into`: its supporters move over, its submitter is told where
    to follow it. Both ideas must belong to the member's organisation."""
    _require_triager(member, idea)
    if into is None or into.organisation_id != member.organisation_id:
        raise ValidationError({"into": "Choose an idea of this organisation to merge into."})
    if into.pk == idea.pk:
        raise ValidationError({"into": "An idea cannot be merged into itself."})
    if into.status == Status.DUPLICATE:
        raise ValidationError({"into": "That idea is itself a duplicate: merge into its original."})
    idea = Idea.objects.select_for_update(of=("self",)).get(pk=idea.pk)
    if idea.status == Status.DUPLICATE:
        raise ValidationError({"into": "This idea has already been merged."})
    if Status.DUPLICATE not in TRANSITIONS[idea.status]:
        raise ValidationError(
            {"into": f"An idea that is “{idea.get_status_display()}” cannot be merged."}
        )
    before = {"status": idea.status}
    already = set(Support.objects.filter(idea=into).values_list("user_id", flat=True))
    moving = Support.objects.filter(idea=idea).exclude(user_id__in=already)
    if into.author_id:
        moving = moving.exclude(user_id=into.author_id)
    moved = moving.update(idea=into)
    Support.objects.filter(idea=idea).delete()
    Idea.objects.filter(pk=into.pk).update(support_count=F("support_count") + moved)
    Idea.objects.filter(pk=idea.pk).update(support_count=0)
    idea.support_count = 0
    note = message.strip() or f"This is the same as “{into.title}”. Follow it there."
    idea_services.record_status(
        member=member, idea=idea, to_status=Status.DUPLICATE, message=note, merged_into=into
    )
    _audit(
        member,
        "merged as duplicate",
        idea=idea,
        before=before,
        after={"status": Status.DUPLICATE, "merged_into": into.title},
    )
    return idea


# Projects -----------------------------------------------------------------------------


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
    _same_organisation(member, team, field="team")
    _same_organisation(member, *wards, field="wards")
    _same_organisation(member, *ideas, field="ideas")
    _check_dates(start_date, target_date)
    _require(
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
    _audit(member, "created project", project=project, after={"title": project.title})
    for idea in ideas:
        project_link_idea(member=member, project=project, idea=idea)
    return project


def _check_dates(start_date, target_date):
    if start_date and target_date and target_date < start_date:
        raise ValidationError({"target_date": "The target date must be after the start date."})


@transaction.atomic
def project_link_idea(*, member: Membership, project: Project, idea: Idea) -> None:
    _require_project_editor(member, project)
    _same_organisation(member, idea, field="ideas")
    # Linking tells the idea's submitter: only someone who triages the idea may do it.
    if not permissions.can_triage_idea(member, idea):
        raise ValidationError({"ideas": "You can only link ideas that you triage."})
    if project.ideas.filter(pk=idea.pk).exists():
        return
    project.ideas.add(idea)
    _audit(member, "linked idea", project=project, idea=idea, after={"idea": idea.title})
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
    _same_organisation(member, team, field="team")
    _same_organisation(member, *wards, field="wards")
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
        _audit(
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
    _audit(member, "posted an update", project=project, after={"update": text[:200]})
    for idea in project.ideas.all():
        idea_services.notify_submitter(
            idea,
            type=Notification.Type.PROJECT,
            text=f"News from the QI project “{project.title}”",
        )
    return update


# Driver diagram -------------------------------------------------------------------------

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
    _same_organisation(member, idea, field="idea")
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
    _audit(member, "added to driver diagram", project=project, after={level: text})
    return node


@transaction.atomic
def driver_node_remove(*, member: Membership, node: DriverNode) -> None:
    _require_project_editor(member, node.project)
    _audit(
        member, "removed from driver diagram", project=node.project, before={node.level: node.text}
    )
    node.delete()


# Measures -------------------------------------------------------------------------------


@transaction.atomic
def measure_save(*, member: Membership, project: Project, measure: Measure | None = None, **fields):
    _require_project_editor(member, project)
    if measure is None:
        measure = Measure.objects.create(
            organisation=member.organisation, project=project, **fields
        )
        _audit(member, "added measure", project=project, after={"measure": measure.name})
        return measure
    # Read the stored values: a bound ModelForm has already changed `measure` in memory.
    stored = Measure.objects.select_for_update(of=("self",)).get(pk=measure.pk)
    before = {k: str(getattr(stored, k)) for k in fields}
    for key, value in fields.items():
        setattr(measure, key, value)
    measure.save()
    _audit(
        member,
        "changed measure",
        project=project,
        before=before,
        after={k: str(v) for k, v in fields.items()},
    )
    return measure


@dataclass
class PasteResult:
    points: list[tuple[date, float]]
    errors: list[str]


def parse_pasted_points(text: str, *, max_lines: int = 1000) -> PasteResult:
    """Read 'date, value' lines as pasted from a spreadsheet (comma, tab or semicolon).

    Every line is checked; errors name the line so that nothing is half-saved.
    """
    points, errors, seen = [], [], {}
    lines = text.splitlines()
    if sum(1 for line in lines if line.strip()) > max_lines:
        return PasteResult([], [f"Paste at most {max_lines} lines at a time."])
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        delimiter = "\t" if "\t" in line else (";" if ";" in line else ",")
        cells = [c.strip() for c in next(csv.reader(io.StringIO(line), delimiter=delimiter))]
        if len(cells) != 2:
            errors.append(f"Line {number}: expected a date and a value, like 2026-03-01, 42.")
            continue
        raw_date, raw_value = cells
        if not raw_value:
            errors.append(f"Line {number}: the value is missing.")
            continue
        day = _parse_day(raw_date)
        if day is None:
            errors.append(
                f"Line {number}: “{raw_date[:30]}” is not a date (use 2026-03-01 or 01/03/2026)."
            )
            continue
        try:
            value = float(raw_value.replace(",", "").rstrip("%"))
        except ValueError:
            errors.append(f"Line {number}: “{raw_value[:30]}” is not a number.")
            continue
        if value != value or value in (float("inf"), float("-inf")):
            errors.append(f"Line {number}: “{raw_value[:30]}” is not a number.")
            continue
        try:
            measure_value(value)
        except ValidationError as exc:
            errors.append(f"Line {number}: “{raw_value[:30]}”: {exc.messages[0]}")
            continue
        if day in seen:
            errors.append(f"Line {number}: {day:%d %B %Y} is already on line {seen[day]}.")
            continue
        seen[day] = number
        points.append((day, value))
    return PasteResult(points, errors)


def _parse_day(raw: str) -> date | None:
    try:
        parsed = parse_date(raw)
    except ValueError:
        return None
    if parsed:
        return parsed
    parts = raw.replace("-", "/").replace(".", "/").split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        day, month, year = (int(p) for p in parts)
        if year < 100:
            year += 2000
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


@transaction.atomic
def measure_points_add(
    *, member: Membership, measure: Measure, points: list[tuple[date, float]]
) -> int:
    """Add data points, all or nothing: a date the measure already has is an error."""
    _require_project_editor(member, measure.project)
    for _, value in points:
        try:
            measure_value(value)
        except ValidationError as exc:
            raise ValidationError({"points": exc.messages}) from exc
    existing = set(
        MeasurePoint.objects.filter(measure=measure, date__in=[d for d, _ in points]).values_list(
            "date", flat=True
        )
    )
    if existing:
        days = ", ".join(f"{d:%d %B %Y}" for d in sorted(existing)[:5])
        raise ValidationError({"points": f"This measure already has a value for {days}."})
    MeasurePoint.objects.bulk_create(
        MeasurePoint(organisation=member.organisation, measure=measure, date=d, value=v)
        for d, v in points
    )
    _audit(
        member,
        "added data",
        project=measure.project,
        after={"measure": measure.name, "points": len(points)},
    )
    return len(points)


@transaction.atomic
def measure_point_remove(*, member: Membership, point: MeasurePoint) -> None:
    measure = point.measure
    _require_project_editor(member, measure.project)
    _audit(
        member,
        "removed data point",
        project=measure.project,
        before={"measure": measure.name, "date": str(point.date), "value": point.value},
    )
    point.delete()


# PDSA cycles ----------------------------------------------------------------------------


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
        _audit(
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
        _audit(
            member,
            f"updated PDSA cycle {cycle.number}",
            project=project,
            before={k: before[k] for k in changed},
            after=changed,
        )
    return cycle
