from collections import defaultdict

from django.db.models import Count

from projects.models import DriverNode, Measure, PDSACycle, Project, ProjectUpdate


def driver_tree(project: Project) -> list[dict]:
    """The driver diagram as nested dicts, from one query."""
    nodes = list(DriverNode.objects.filter(project=project).select_related("idea"))
    children = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)

    def build(parent_id):
        return [{"node": n, "children": build(n.pk)} for n in children.get(parent_id, [])]

    return build(None)


def project_page(project: Project) -> dict:
    return {
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


def project_list(organisation, *, stage="", team=None):
    projects = Project.objects.filter(organisation=organisation).select_related("team")
    if stage:
        projects = projects.filter(stage=stage)
    if team is not None:
        projects = projects.filter(team=team)
    return projects.annotate(idea_count=Count("ideas", distinct=True)).order_by(
        "-created_at", "-id"
    )
