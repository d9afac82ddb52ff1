from collections import defaultdict

from django.db.models import Count

from audit.selectors import audit_trail
from charts import spc
from ideas.anonymity import with_author_standing
from projects import kinds
from projects.measure_charts import measure_charts
from projects.models import (
    ChangePoint,
    DriverNode,
    Measure,
    MeasurePoint,
    PDSACycle,
    Project,
    ProjectUpdate,
)


def driver_tree(project: Project) -> list[dict]:
    """The driver diagram as nested dicts, from one query."""
    nodes = list(DriverNode.objects.filter(project=project).select_related("idea"))
    children = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)

    def build(parent_id):
        return [{"node": n, "children": build(n.pk)} for n in children.get(parent_id, [])]

    return build(None)


def project_page(project: Project, *, with_audit: bool) -> dict:
    """What the project page shows; its audit trail only to those who may change it.

    Each measure's chart comes from one query of all the project's points (and one of
    its change points), so the page's queries do not grow with its measures.
    """
    cycles = list(PDSACycle.objects.filter(project=project))
    page = {
        "project": project,
        "ideas": list(project.ideas.select_related("ward", "category")),
        "wards": list(project.wards.select_related("site")),
        "drivers": driver_tree(project),
        "measures": _measures_with_charts(project, cycles),
        "cycles": cycles,
        "updates": list(
            with_author_standing(
                ProjectUpdate.objects.filter(project=project).select_related("author")
            )[:20]
        ),
    }
    if with_audit:
        page["audit"] = audit_trail(project=project)
    return page


def _measures_with_charts(project: Project, cycles: list[PDSACycle]) -> list[dict]:
    measures = list(Measure.objects.filter(project=project))
    points, changes = defaultdict(list), defaultdict(list)
    for point in MeasurePoint.objects.filter(measure__project=project).order_by(
        "measure_id", "date"
    ):
        points[point.measure_id].append(point)
    for change in ChangePoint.objects.filter(measure__project=project):
        changes[change.measure_id].append(change)
    shown = []
    for measure in measures:
        charts = measure_charts(
            measure, points[measure.pk], changes=changes[measure.pk], cycles=cycles, run=False
        )
        shown.append({"measure": measure, "point_count": len(points[measure.pk]), **charts})
    return shown


def measure_page(measure: Measure) -> dict:
    """A measure's data, its run chart and the SPC chart its kind chooses, in phases."""
    stored = list(MeasurePoint.objects.filter(measure=measure))
    changes = list(ChangePoint.objects.filter(measure=measure).select_related("cycle"))
    cycles = list(PDSACycle.objects.filter(project_id=measure.project_id))
    charts = measure_charts(measure, stored, changes=changes, cycles=cycles)
    return {
        "measure": measure,
        "points": stored,
        "columns": kinds.column_names(measure),
        "has_denominator": kinds.needs_denominator(measure.kind),
        "left_out": len(stored) - charts["charted"],
        "min_xmr_points": spc.MIN_XMR_POINTS,
        **charts,
    }


def project_list(organisation, *, stage="", team=None):
    projects = Project.objects.filter(organisation=organisation).select_related("team")
    if stage:
        projects = projects.filter(stage=stage)
    if team is not None:
        projects = projects.filter(team=team)
    return projects.annotate(idea_count=Count("ideas", distinct=True)).order_by(
        "-created_at", "-id"
    )
