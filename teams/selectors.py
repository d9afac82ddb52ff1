from collections import defaultdict
from datetime import timedelta

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone

from ideas.models import OPEN_STATUSES, Idea, Status
from ideas.selectors import on_site
from organisations import permissions
from organisations.models import Membership, Profession

from .models import AuditEvent, DriverNode, Measure, PDSACycle, Project, ProjectUpdate, Team


def overdue_since(organisation):
    return timezone.now() - timedelta(days=organisation.response_target_days)


def triage_inbox(
    member: Membership,
    *,
    status="",
    ward=None,
    site=None,
    category=None,
    kind="",
    team=None,
    overdue=False,
):
    """Ideas to triage: unreviewed first, then the longest waiting.

    QI leads and admins see every idea; other team members see their teams' ideas.
    """
    organisation = member.organisation
    ideas = Idea.objects.filter(organisation=organisation).select_related(
        "ward__site", "site", "category", "team"
    )
    ideas = permissions.triageable_ideas(member, ideas)
    ideas = ideas.filter(status=status) if status else ideas.filter(status__in=OPEN_STATUSES)
    for field, value in (
        ("ward", ward),
        ("category", category),
        ("team", team),
    ):
        if value is not None:
            ideas = ideas.filter(**{field: value})
    if site is not None:
        ideas = ideas.filter(on_site(site))
    if kind:
        ideas = ideas.filter(kind=kind)
    if overdue:
        ideas = ideas.filter(
            first_response_at__isnull=True, created_at__lt=overdue_since(organisation)
        )
    return ideas.annotate(
        unreviewed=Case(
            When(status=Status.SUBMITTED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("unreviewed", "created_at")


def members_by_staff_group(team: Team) -> list[tuple[str, list[Membership]]]:
    groups = defaultdict(list)
    for membership in team.members.select_related("user", "home_ward").order_by("user__name"):
        groups[membership.profession].append(membership)
    labels = dict(Profession.choices)
    return [
        (labels.get(key, "Staff group not given"), groups[key])
        for key in [*Profession.values, ""]
        if groups.get(key)
    ]


def teams_with_counts(organisation):
    return Team.objects.filter(organisation=organisation).annotate(
        member_count=Count("members", distinct=True),
        open_ideas=Count("ideas", filter=Q(ideas__status__in=OPEN_STATUSES), distinct=True),
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


def audit_trail(*, idea=None, project=None, limit=100):
    events = AuditEvent.objects.select_related("actor")
    events = events.filter(idea=idea) if idea is not None else events.filter(project=project)
    return list(events[:limit])


def project_list(organisation, *, stage="", team=None):
    projects = Project.objects.filter(organisation=organisation).select_related("team")
    if stage:
        projects = projects.filter(stage=stage)
    if team is not None:
        projects = projects.filter(team=team)
    return projects.annotate(idea_count=Count("ideas", distinct=True)).order_by(
        "-created_at", "-id"
    )
