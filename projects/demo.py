"""Demo QI projects for `manage.py seed_demo`: driver diagrams, measures with several
months of data, PDSA cycles and updates, made through the services."""

import random
from datetime import timedelta

from django.utils import timezone

from ideas.models import Idea
from organisations.models import Membership
from teams.models import Team

from . import chart_services, services
from .models import DriverNode, Measure, MeasurePoint, PDSACycle, Stage


def _series(rng, start, count, level, noise, shift_at=None, shifted=None):
    values = []
    for n in range(count):
        centre = shifted if shift_at is not None and n >= shift_at else level
        values.append((start + timedelta(weeks=n), round(centre + rng.uniform(-noise, noise), 1)))
    return values


def _project_at(lead, stage, *, team, wards, ideas, start_date=None, target_date=None, **text):
    """A project made as a lead makes one: started, then moved on to its stage."""
    project = services.project_create(
        member=lead,
        team=team,
        wards=wards,
        ideas=ideas,
        start_date=start_date,
        target_date=target_date,
        **text,
    )
    services.project_update(
        member=lead,
        project=project,
        title=project.title,
        aim=project.aim,
        stage=stage,
        team=team,
        wards=list(project.wards.all()),
        start_date=project.start_date,
        target_date=project.target_date,
    )
    return project


def _drug_round_drivers(lead, project, trolley) -> None:
    equipment = services.driver_node_add(
        member=lead, project=project, level=DriverNode.Level.PRIMARY, text="Equipment ready"
    )
    stocked = services.driver_node_add(
        member=lead,
        project=project,
        level=DriverNode.Level.SECONDARY,
        text="Trolleys stocked before the round",
        parent=equipment,
    )
    services.driver_node_add(
        member=lead,
        project=project,
        level=DriverNode.Level.CHANGE,
        text="",
        parent=stocked,
        idea=trolley,
    )
    organised = services.driver_node_add(
        member=lead, project=project, level=DriverNode.Level.PRIMARY, text="How the team works"
    )
    start_together = services.driver_node_add(
        member=lead,
        project=project,
        level=DriverNode.Level.SECONDARY,
        text="Both bays start at the same time",
        parent=organised,
    )
    services.driver_node_add(
        member=lead,
        project=project,
        level=DriverNode.Level.CHANGE,
        text="Do not disturb tabards during the round",
        parent=start_together,
    )


def _weeks(start, count):
    return [start + timedelta(weeks=n) for n in range(count)]


def _drug_round_measures(rng, lead, project, start) -> dict[str, Measure]:
    """One measure of each kind; the round's length and doses on time shift after PDSA 1."""
    weeks = _weeks(start, 20)
    made = {}

    def add(name, kind, points, **fields):
        made[name] = services.measure_save(
            member=lead, project=project, name=name, kind=kind, description="", **fields
        )
        services.measure_points_add(member=lead, measure=made[name], points=points)

    add(
        "Night drug round duration",
        Measure.Kind.MEASUREMENT,
        _series(rng, start, 20, 76, 5, shift_at=12, shifted=61),
        type=Measure.Type.OUTCOME,
        unit="minutes",
        direction=Measure.Direction.DOWN,
        target=55,
    )
    doses = [rng.randint(160, 200) for _ in weeks]
    add(
        "Night doses given on time",
        Measure.Kind.PERCENTAGE,
        [
            (day, round(due * (0.80 if n < 12 else 0.92) + rng.uniform(-6, 6)), due)
            for n, (day, due) in enumerate(zip(weeks, doses, strict=True))
        ],
        type=Measure.Type.PROCESS,
        unit="%",
        direction=Measure.Direction.UP,
        target=95,
        denominator_name="night doses due",
    )
    add(
        "Omitted night doses",
        Measure.Kind.RATE,
        [(day, rng.randint(2, 8), rng.randint(196, 217)) for day in weeks],
        type=Measure.Type.PROCESS,
        unit="per 1,000 bed days",
        direction=Measure.Direction.DOWN,
        target=None,
        rate_per=1000,
        denominator_name="occupied bed days",
    )
    add(
        "Medication incidents at night",
        Measure.Kind.COUNT,
        [(day, rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6])) for day in weeks],
        type=Measure.Type.BALANCING,
        unit="incidents a week",
        direction=Measure.Direction.DOWN,
        target=None,
    )
    return made


def _drug_round_changes(lead, measures, cycle, start) -> None:
    """The round moved after PDSA 1: its limits start again there, and points say why."""
    for name in ("Night drug round duration", "Night doses given on time"):
        chart_services.change_point_add(
            member=lead,
            measure=measures[name],
            date=start + timedelta(weeks=12),
            label="Second trolley",
            cycle=cycle,
        )
    duration = {
        p.date: p
        for p in MeasurePoint.objects.filter(measure=measures["Night drug round duration"])
    }
    for week, note in (
        (5, "Two agency nurses on nights"),
        (15, "Pharmacy restocked the trolley late"),
    ):
        point = duration.get(start + timedelta(weeks=week))
        if point is not None:
            chart_services.point_note_set(member=lead, point=point, note=note)


def _drug_round_cycles(lead, project, start) -> PDSACycle:
    trolley = services.pdsa_save(
        member=lead,
        project=project,
        change="Second trolley on nights",
        prediction="Both bays start together and the round is 15 minutes shorter.",
        start_date=start + timedelta(weeks=11),
        end_date=start + timedelta(weeks=13),
        do_notes="Trialled for two weeks on nights.",
        study_notes="Rounds were 14 minutes shorter on average; no rise in incidents.",
        act="adopt",
        act_notes="Keep the second trolley; pharmacy stocks it.",
    )
    services.project_post_update(
        member=lead,
        project=project,
        text="The second trolley has cut about 14 minutes from the night round. "
        "Next we are testing do-not-disturb tabards.",
    )
    services.pdsa_save(
        member=lead,
        project=project,
        change="Do not disturb tabards",
        prediction="Fewer interruptions: another 5 minutes saved.",
        start_date=start + timedelta(weeks=16),
        end_date=None,
        do_notes="",
        study_notes="",
        act="",
        act_notes="",
    )
    return trolley


def seed_projects(organisation, lead: Membership, teams: list[Team]) -> None:
    rng = random.Random(f"projects:{organisation.slug}")
    safety, wellbeing = teams
    wards = {w.name: w for w in lead.organisation.wards.all()}
    ideas = {i.title: i for i in Idea.objects.filter(organisation=organisation)}
    today = timezone.localdate()
    start = today - timedelta(weeks=20)
    trolley = ideas.get("Night-time drug round trolley for the AMU")
    project = _project_at(
        lead,
        Stage.TESTING,
        title="Shorter night drug rounds on the AMU",
        aim="Reduce the length of the night drug round on the Acute Medical Unit from 75 to "
        "55 minutes by the end of March.",
        team=safety,
        wards=[wards["Acute Medical Unit"]] if "Acute Medical Unit" in wards else [],
        ideas=[trolley] if trolley else [],
        start_date=start,
        target_date=today + timedelta(weeks=12),
    )
    _drug_round_drivers(lead, project, trolley)
    measures = _drug_round_measures(rng, lead, project, start)
    trolley_cycle = _drug_round_cycles(lead, project, start)
    _drug_round_changes(lead, measures, trolley_cycle, start)

    quiet = ideas.get("Quiet room for staff breaks in ED")
    _project_at(
        lead,
        Stage.COMPLETE,
        title="A quiet room for ED staff",
        aim="Give every ED shift somewhere quiet to take a ten-minute break, "
        "by the end of the quarter.",
        team=wellbeing,
        wards=[],
        ideas=[quiet] if quiet else [],
        start_date=today - timedelta(weeks=10),
        target_date=today - timedelta(weeks=1),
    )
    falls = ideas.get("Handover sheet with falls risk at the top")
    _project_at(
        lead,
        Stage.PLANNING,
        title="Falls risk visible at every handover",
        aim="Every handover on Oak Ward mentions each patient's falls risk by February.",
        team=safety,
        wards=[],
        ideas=[falls] if falls else [],
    )
