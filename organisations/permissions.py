"""Who may do what: the role ladder and one predicate per rule.

Every view, service, form and template asks here, so that the pages, the services
and the README cannot disagree (they once said four different things about who may
change a project). The rules:

- staff < qi_lead < org_admin: each role may do everything the one below may;
- staff submit, support, comment and read the organisation's ideas, teams and projects;
- staff who are members of a team triage their teams' ideas and start and change
  their teams' projects;
- a QI lead leads improvement for the whole organisation: QI leads (and admins)
  triage every idea, start and change every project, manage teams and read the
  dashboards;
- organisation admins also manage staff, invitations and idea categories.

Pages that a QI lead or an admin reaches because of their role are marked with
`privileged`; `organisations.middleware.TwoFactorMiddleware` turns away anyone the
predicate refuses (403) and sends a privileged role without two-factor
authentication to set it up, for GET as well as POST.
"""

from functools import cached_property

from django.core.exceptions import PermissionDenied, ValidationError

from .models import Membership, Role

ROLE_RANK = {Role.STAFF: 0, Role.QI_LEAD: 1, Role.ORG_ADMIN: 2}

# Roles that see and change other people's information: they need two-factor
# authentication before they reach a privileged page.
PRIVILEGED_ROLES = frozenset(r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role.QI_LEAD])


def roles_from(role: str) -> list[str]:
    """The role and every role above it, for filtering memberships in a query."""
    return [r for r, rank in ROLE_RANK.items() if rank >= ROLE_RANK[role]]


def has_role(membership: Membership | None, role: str) -> bool:
    return membership is not None and ROLE_RANK[membership.role] >= ROLE_RANK[role]


def leads_improvement(membership: Membership | None) -> bool:
    """QI leads and admins: triage, projects and teams across the whole organisation."""
    return has_role(membership, Role.QI_LEAD)


def can_manage_organisation(membership: Membership | None) -> bool:
    """Staff, roles, invitations and idea categories."""
    return has_role(membership, Role.ORG_ADMIN)


def can_view_dashboards(membership: Membership | None) -> bool:
    return leads_improvement(membership)


def can_manage_teams(membership: Membership | None) -> bool:
    return leads_improvement(membership)


def _on_a_team(membership: Membership) -> bool:
    # The request's membership knows (organisations.selectors.membership_for_request).
    known = getattr(membership, "on_a_team", None)
    return membership.teams.exists() if known is None else known


def can_triage(membership: Membership | None) -> bool:
    """May open the triage inbox: leads, and staff who are members of a team."""
    return membership is not None and (leads_improvement(membership) or _on_a_team(membership))


def can_triage_idea(membership: Membership, idea) -> bool:
    if leads_improvement(membership):
        return True
    if idea.team_id is None or getattr(membership, "on_a_team", None) is False:
        return False  # on no team, as the request's membership knows: nothing to ask
    return membership.teams.filter(pk=idea.team_id).exists()


def triageable_ideas(membership: Membership, ideas):
    """`ideas` narrowed to those `can_triage_idea` allows, as a queryset."""
    return ideas if leads_improvement(membership) else ideas.filter(team__members=membership)


def can_work_on_projects(membership: Membership | None) -> bool:
    """May start a project or change some project: leads, and staff on a team."""
    return can_triage(membership)


def can_run_projects_for(membership: Membership, team) -> bool:
    """May start projects for `team` and change its projects."""
    if leads_improvement(membership):
        return True
    return team.members.filter(pk=membership.pk).exists()


def can_edit_project(membership: Membership, project) -> bool:
    return can_run_projects_for(membership, project.team)


def teams_run_by(membership: Membership, teams):
    """`teams` narrowed to those `can_run_projects_for` allows, as a queryset."""
    return teams if leads_improvement(membership) else teams.filter(members=membership)


def editable_projects(membership: Membership, projects):
    """`projects` narrowed to those `can_edit_project` allows, as a queryset."""
    return projects if leads_improvement(membership) else projects.filter(team__members=membership)


class Permissions:
    """The predicates for one member, for templates: `{% if may.triage %}`.

    Each answer is computed once, and only if a template asks.
    """

    def __init__(self, membership: Membership):
        self._membership = membership

    @cached_property
    def triage(self):
        return can_triage(self._membership)

    @cached_property
    def work_on_projects(self):
        return can_work_on_projects(self._membership)

    @cached_property
    def manage_teams(self):
        return can_manage_teams(self._membership)

    @cached_property
    def view_dashboards(self):
        return can_view_dashboards(self._membership)

    @cached_property
    def manage_organisation(self):
        return can_manage_organisation(self._membership)


def privileged(predicate, *, methods=None):
    """Mark a view as a privileged page that members whom `predicate` allows may use.

    `TwoFactorMiddleware` enforces it before the view runs: 403 for a member the
    predicate refuses, the two-factor set-up for a QI lead or admin who has not
    done it. `methods` limits the mark to some HTTP methods (a page everyone reads
    whose form posts a change). Object-level checks (this project, this idea) stay
    in the view and the service.
    """

    def decorator(view):
        # Decorators applied above this one keep the mark: functools.wraps copies it.
        view.privileged = (predicate, frozenset(methods) if methods else None)
        return view

    return decorator


def privilege_of(view, method: str):
    """The predicate guarding `view` for `method`, or None for a page every member may use."""
    mark = getattr(view, "privileged", None)
    if mark is None:
        return None
    predicate, methods = mark
    return predicate if methods is None or method in methods else None


# For services: the same rules, raised as the errors the views show. ----------------


def require(allowed: bool, message: str) -> None:
    """Refuse (403) what the predicate does not allow, in words for the person refused."""
    if not allowed:
        raise PermissionDenied(message)


def require_same_organisation(organisation_id: int, *objects, field: str | None = None) -> None:
    """Refuse anything of another organisation (a forged form value) as a field error.

    The one check every service makes before it links two rows, so that a row can
    never point across organisations whatever a form posts.
    """
    for obj in objects:
        if obj is not None and obj.organisation_id != organisation_id:
            noun = obj._meta.verbose_name
            article = "an" if noun[0] in "aeiou" else "a"
            message = f"Choose {article} {noun} of this organisation."
            raise ValidationError({field: message} if field else message)
