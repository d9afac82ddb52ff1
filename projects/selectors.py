from collections import defaultdict

from django.db.models import Count

from audit.selectors import audit_trail
from charts import spc, svg
from improvewell.validators import is_measure_value
from projects.models import DriverNode, Measure, MeasurePoint, PDSACycle, Project, ProjectUpdate


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
    """What the project page shows; its audit trail only to those who may change it."""
    page = {
        "project": project,
        "ideas": list(project.ideas.select_related("ward", "category")),
        "wards": list(project.wards.select_related("site")),
        "drivers": driver_tree(project),
        "measures": list(
            Measure.objects.filter(project=project).annotate(point_count=Count("points"))
        ),
        "cycles": list(PDSACycle.objects.filter(project=project)),
        "updates": list(
            ProjectUpdate.objects.filter(project=project).select_related("author")[:20]
        ),
    }
    if with_audit:
        page["audit"] = audit_trail(project=project)
    return page


def measure_page(measure: Measure) -> dict:
    """A measure's data, its run chart and, from MIN_XMR_POINTS points on, its XmR chart.

    Rows saved before values were bounded stay listed (so they can be removed) but are
    left out of the charts, whose sums and scales they would overflow.
    """
    stored = list(MeasurePoint.objects.filter(measure=measure))
    points = [(p.date, p.value) for p in stored if is_measure_value(p.value)]
    page = {
        "measure": measure,
        "points": stored,
        "charted": len(points),
        "left_out": len(stored) - len(points),
        "min_xmr_points": spc.MIN_XMR_POINTS,
        "run_chart": None,
    }
    if not points:
        return page
    values = [value for _, value in points]
    annotations = [
        (cycle.start_date, f"PDSA {cycle.number}")
        for cycle in PDSACycle.objects.filter(project_id=measure.project_id)
    ]
    drawn = {"title": measure.name, "unit": measure.unit, "annotations": annotations}
    page["run"] = run = spc.run_chart(values)
    page["run_chart"] = svg.run_chart_svg_context(points, run, **drawn)
    if len(points) >= spc.MIN_XMR_POINTS:
        target = measure.target
        target = target if target is None or is_measure_value(target) else None
        xmr = spc.xmr_chart(values, improvement=measure.direction, target=target)
        page["xmr"] = xmr
        page["xmr_chart"] = svg.xmr_chart_svg_context(points, xmr, **drawn)
    return page


def project_list(organisation, *, stage="", team=None):
    projects = Project.objects.filter(organisation=organisation).select_related("team")
    if stage:
        projects = projects.filter(stage=stage)
    if team is not None:
        projects = projects.filter(team=team)
    return projects.annotate(idea_count=Count("ideas", distinct=True)).order_by(
        "-created_at", "-id"
    )
