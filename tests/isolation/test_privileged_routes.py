"""Every organisation route, for every role, with and without two-factor authentication.

`WHO_MAY` says, independently of the code, who may use each page. A privileged page
(one that QI leads or admins reach because of their role) sends a lead or admin who
has not set up two-factor authentication to set it up, for GET and POST alike; with
it set up they get the page; anyone else gets 403 or 404. Pages every member uses
never ask for two-factor authentication. A new route fails
`test_every_organisation_route_says_who_may_use_it` until it is added to `WHO_MAY`.
"""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django_scopes import scopes_disabled

from ideas.models import Idea
from organisations.models import Role
from tests import factories

from .test_routes import _fill, objects_of_other_organisation, organisation_routes

MFA_SETUP = "/accounts/2fa/totp/activate/"

EVERYONE = frozenset({"staff", "team member", "other team member", "qi_lead", "org_admin"})
LEADS = frozenset({"qi_lead", "org_admin"})
ADMINS = frozenset({"org_admin"})
# Staff on any team open the inbox and start projects for their own team...
ON_A_TEAM = LEADS | {"team member", "other team member"}
# ...and triage that team's ideas and change its projects (the objects walked belong to it).
THE_TEAM = LEADS | {"team member"}

# Route name -> (who may GET it, who may POST to it, whether it is privileged).
PAGE = "page for every member"
PRIVILEGED = "privileged"
WHO_MAY = {
    "home": (EVERYONE, EVERYONE, PAGE),
    "profile": (EVERYONE, EVERYONE, PAGE),
    "member_list": (ADMINS, ADMINS, PRIVILEGED),
    "member_bulk": (ADMINS, ADMINS, PRIVILEGED),
    "member_export": (ADMINS, ADMINS, PRIVILEGED),
    "member_edit": (ADMINS, ADMINS, PRIVILEGED),
    "member_deactivate": (ADMINS, ADMINS, PRIVILEGED),
    "member_reactivate": (ADMINS, ADMINS, PRIVILEGED),
    "invitation_list": (ADMINS, ADMINS, PRIVILEGED),
    "concern_settings": (ADMINS, ADMINS, PRIVILEGED),
    # The audit log (url names audit:log and audit:export).
    "log": (ADMINS, ADMINS, PRIVILEGED),
    "export": (ADMINS, ADMINS, PRIVILEGED),
    "manage": (ADMINS, ADMINS, PRIVILEGED),
    "site_list": (ADMINS, ADMINS, PRIVILEGED),
    "site_edit": (ADMINS, ADMINS, PRIVILEGED),
    "ward_edit": (ADMINS, ADMINS, PRIVILEGED),
    "ward_archive": (ADMINS, ADMINS, PRIVILEGED),
    "ward_restore": (ADMINS, ADMINS, PRIVILEGED),
    "ward_merge": (ADMINS, ADMINS, PRIVILEGED),
    "organisation_settings": (ADMINS, ADMINS, PRIVILEGED),
    "signup_domain_remove": (ADMINS, ADMINS, PRIVILEGED),
    "sso_settings": (ADMINS, ADMINS, PRIVILEGED),
    "invitation_revoke": (ADMINS, ADMINS, PRIVILEGED),
    "staff_import": (ADMINS, ADMINS, PRIVILEGED),
    "staff_import_job": (ADMINS, ADMINS, PRIVILEGED),
    "staff_import_problems": (ADMINS, ADMINS, PRIVILEGED),
    "board": (EVERYONE, EVERYONE, PAGE),
    "submit": (EVERYONE, EVERYONE, PAGE),
    # The share form's suggestions: POSTed by htmx (a draft title stays out of access logs).
    "similar": (EVERYONE, EVERYONE, PAGE),
    "detail": (EVERYONE, EVERYONE, PAGE),
    "support": (EVERYONE, EVERYONE, PAGE),
    "comment": (EVERYONE, EVERYONE, PAGE),
    "my_ideas": (EVERYONE, EVERYONE, PAGE),
    "notifications": (EVERYONE, EVERYONE, PAGE),
    "email_preferences": (EVERYONE, EVERYONE, PAGE),
    "you_said_we_did": (EVERYONE, EVERYONE, PAGE),
    "you_said_we_did_ward": (EVERYONE, EVERYONE, PAGE),
    "poster": (EVERYONE, EVERYONE, PAGE),
    "pulse": (EVERYONE, EVERYONE, PAGE),
    "pulse_done": (EVERYONE, EVERYONE, PAGE),
    "category_list": (ADMINS, ADMINS, PRIVILEGED),
    "category_edit": (ADMINS, ADMINS, PRIVILEGED),
    "pulse_tag_list": (ADMINS, ADMINS, PRIVILEGED),
    "pulse_tag_edit": (ADMINS, ADMINS, PRIVILEGED),
    "team_list": (EVERYONE, EVERYONE, PAGE),
    "team_create": (LEADS, LEADS, PRIVILEGED),
    "team_detail": (EVERYONE, EVERYONE, PAGE),
    "team_edit": (LEADS, LEADS, PRIVILEGED),
    "inbox": (ON_A_TEAM, ON_A_TEAM, PRIVILEGED),
    "inbox_bulk": (ON_A_TEAM, ON_A_TEAM, PRIVILEGED),
    "idea_triage": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "idea_status": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "project_list": (EVERYONE, EVERYONE, PAGE),
    "project_create": (ON_A_TEAM, ON_A_TEAM, PRIVILEGED),
    "project_detail": (EVERYONE, EVERYONE, PAGE),
    "project_edit": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "project_update_post": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "driver_add": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "driver_edit": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "driver_remove": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "measure_create": (THE_TEAM, THE_TEAM, PRIVILEGED),
    # Everyone reads a measure; adding data to it is privileged.
    "measure_detail": (EVERYONE, THE_TEAM, "POST privileged"),
    "measure_edit": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "point_remove": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "point_note": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "change_point_add": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "change_point_remove": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "pdsa_create": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "pdsa_edit": (THE_TEAM, THE_TEAM, PRIVILEGED),
    "overview": (LEADS, LEADS, PRIVILEGED),
    "ward": (LEADS, LEADS, PRIVILEGED),
    "site": (LEADS, LEADS, PRIVILEGED),
    "people": (LEADS, LEADS, PRIVILEGED),
    "spc": (LEADS, LEADS, PRIVILEGED),
    # Leads read the routing rules and try an idea on them (a POST that changes nothing);
    # admins change them.
    "routing_rules": (LEADS, LEADS, PRIVILEGED),
    "routing_rule_add": (ADMINS, ADMINS, PRIVILEGED),
    "routing_rule_edit": (ADMINS, ADMINS, PRIVILEGED),
    "routing_rule_move": (ADMINS, ADMINS, PRIVILEGED),
    "routing_rule_disable": (ADMINS, ADMINS, PRIVILEGED),
    "routing_rule_enable": (ADMINS, ADMINS, PRIVILEGED),
    "routing_rule_delete": (ADMINS, ADMINS, PRIVILEGED),
    "webhook_list": (ADMINS, ADMINS, PRIVILEGED),
    "webhook_add": (ADMINS, ADMINS, PRIVILEGED),
    "webhook_detail": (ADMINS, ADMINS, PRIVILEGED),
    "webhook_edit": (ADMINS, ADMINS, PRIVILEGED),
    "webhook_disable": (ADMINS, ADMINS, PRIVILEGED),
    "webhook_enable": (ADMINS, ADMINS, PRIVILEGED),
    "webhook_test": (ADMINS, ADMINS, PRIVILEGED),
    "webhook_delete": (ADMINS, ADMINS, PRIVILEGED),
    "member_erase": (ADMINS, ADMINS, PRIVILEGED),
}


def _person(organisation, ward, email, role, *, mfa):
    with scopes_disabled():
        membership = factories.MembershipFactory(
            organisation=organisation, user__email=email, role=role, home_ward=ward
        )
    if mfa:
        TOTP.activate(membership.user, generate_totp_secret())
    return membership


@pytest.fixture
def world(organisation, ward, settings):
    """The organisation's objects (one of each kind a URL names) and a person per role.

    The idea walked belongs to the project's team, so that its team member triages it.
    """
    settings.REQUIRE_MFA = True
    objects = objects_of_other_organisation(organisation)
    with scopes_disabled():
        team = factories.TeamFactory(organisation=organisation, name="Walked team")
        other_team = factories.TeamFactory(organisation=organisation, name="Another team")
        Idea.objects.filter(pk=objects["idea_id"]).update(team=team)
        from projects.models import Project

        Project.objects.filter(pk=objects["project_id"]).update(team=team)
    objects["team_id"] = team.pk

    people = []
    for kind, role, mfa in [
        ("staff", Role.STAFF, False),
        ("team member", Role.STAFF, False),
        ("other team member", Role.STAFF, False),
        ("qi_lead", Role.QI_LEAD, True),
        ("qi_lead", Role.QI_LEAD, False),
        ("org_admin", Role.ORG_ADMIN, True),
        ("org_admin", Role.ORG_ADMIN, False),
    ]:
        email = f"{kind.replace(' ', '.')}.{'mfa' if mfa else 'nomfa'}@city.nhs.uk"
        membership = _person(organisation, ward, email, role, mfa=mfa)
        with scopes_disabled():
            if kind == "team member":
                team.members.add(membership)
            elif kind == "other team member":
                other_team.members.add(membership)
        people.append((kind, role != Role.STAFF and not mfa, membership.user))
    return objects, people


def test_every_organisation_route_says_who_may_use_it():
    names = [pattern.name for _, pattern in organisation_routes()]
    assert len(names) == len(set(names)), "route names must be unique for this table"
    assert set(names) == set(WHO_MAY)


def _privileged_for(name, method):
    kind = WHO_MAY[name][2]
    return kind == PRIVILEGED or (kind == "POST privileged" and method == "post")


def test_every_route_for_every_role_with_and_without_two_factor(client_for, organisation, world):
    objects, people = world
    failures = []
    for kind, needs_mfa, user in people:
        client = client_for(user)
        for route, pattern in organisation_routes():
            path = _fill(route, {"org_slug": organisation.slug, **objects})
            may_get, may_post, _ = WHO_MAY[pattern.name]
            for method, may in (("get", may_get), ("post", may_post)):
                privileged = _privileged_for(pattern.name, method)
                allowed = kind in may
                if method == "post" and allowed and not needs_mfa:
                    # Changes are exercised by each feature's own tests; an empty POST
                    # here would remove the objects that later requests walk.
                    continue
                response = getattr(client, method)(path)
                status, location = response.status_code, response.get("Location")
                who = f"{kind}{' without two-factor' if needs_mfa else ''}"
                if not allowed:
                    # A POST-only route may refuse GET before looking at the object.
                    ok = status in (403, 404) or (method, status) == ("get", 405)
                elif privileged and needs_mfa:
                    ok = (status, location) == (302, MFA_SETUP)
                elif method == "get":
                    ok = status in (200, 405)  # 405: a POST-only route
                else:
                    ok = location != MFA_SETUP and status in (200, 302, 400)
                if not ok:
                    failures.append(f"{who}: {method.upper()} {path} gave {status} {location}")
    assert not failures, "\n".join(failures)


# The REST API: who may GET each endpoint, by route name (api/urls.py). An endpoint
# that only takes changes answers GET with 405 to every member. A privileged endpoint
# (api.base's `privileged`) asks a lead or admin for two-factor authentication with a
# 403, as tests/api/test_permissions*.py show.
API_WHO_MAY = {
    "idea_list": EVERYONE,
    "idea_detail": EVERYONE,
    "idea_support": EVERYONE,
    "idea_comments": EVERYONE,
    "category_list": EVERYONE,
    "site_list": EVERYONE,
    "ward_list": EVERYONE,
    # Triage: the inbox's predicate lets in leads and staff on a team; the idea's own team
    # decides (its team member yes, another team's member 403 on POST).
    "idea_triage_status": THE_TEAM,
    "idea_triage_team": THE_TEAM,
    "my_ideas": EVERYONE,
    "notification_list": EVERYONE,
    "notification_read": EVERYONE,
    "notification_read_all": EVERYONE,
    "pulse_check_in": EVERYONE,
    "pulse_summary": EVERYONE,
    "pulse_tags": EVERYONE,
    "team_list": EVERYONE,
    "team_detail": EVERYONE,
    # QI projects: every member reads them, as on the project pages.
    "project_list": EVERYONE,
    "project_detail": EVERYONE,
    "driver_diagram": EVERYONE,
    "driver_nodes": EVERYONE,
    "driver_node": EVERYONE,
    "measure_list": EVERYONE,
    "measure_detail": EVERYONE,
    "measure_points": EVERYONE,
    "measure_point": EVERYONE,
    "pdsa_list": EVERYONE,
    "pdsa_detail": EVERYONE,
    # The dashboards' figures.
    "engagement": LEADS,
}
# Endpoints whose GET is privileged.
API_PRIVILEGED_GET = frozenset({"engagement"})
# Privileged changes: route name -> (method, who may). Those who may start projects for
# their own team (ON_A_TEAM); those who may change the walked project (THE_TEAM).
API_PRIVILEGED_WRITES = {
    "project_list": ("post", ON_A_TEAM),
    "project_detail": ("patch", THE_TEAM),
    "driver_nodes": ("post", THE_TEAM),
    "driver_node": ("delete", THE_TEAM),
    "measure_list": ("post", THE_TEAM),
    "measure_points": ("post", THE_TEAM),
    "measure_point": ("delete", THE_TEAM),
    "pdsa_list": ("post", THE_TEAM),
    "pdsa_detail": ("patch", THE_TEAM),
}
API_PRIVILEGED = {"idea_triage_status", "idea_triage_team"}


def test_every_api_route_says_who_may_use_it():
    from .test_routes import api_routes

    names = [pattern.name for _, pattern in api_routes()]
    assert len(names) == len(set(names))
    assert set(names) == set(API_WHO_MAY)


def test_every_api_route_for_every_role_with_and_without_two_factor(
    client_for, organisation, world
):
    from .test_routes import api_routes

    objects, people = world
    failures = []
    for kind, needs_mfa, user in people:
        client = client_for(user)
        for route, pattern in api_routes():
            path = _fill(route, {"org": organisation.slug, **objects})
            response = client.get(path)
            status = response.status_code
            allowed = kind in API_WHO_MAY[pattern.name]
            privileged = pattern.name in API_PRIVILEGED
            if allowed and needs_mfa and (privileged or pattern.name in API_PRIVILEGED_GET):
                ok = status == 403 and "two-factor" in response.json()["detail"]
            elif allowed:
                ok = status in (200, 405)  # 405: a POST-only endpoint
            else:
                # A POST-only endpoint refuses GET before looking at the object.
                ok = status in (403, 404) or (privileged and status == 405)
            if not ok:
                failures.append(f"{kind} {needs_mfa}: GET {path} gave {status}")
    assert not failures, "\n".join(failures)


def test_every_privileged_api_change_for_every_role_with_and_without_two_factor(
    client_for, organisation, world
):
    """Refused (403 or 404) to those who may not; 403 to a lead or admin without two-factor.
    Allowed changes are exercised by tests/api: they would remove the objects walked."""
    from .test_routes import api_routes

    objects, people = world
    routes = {pattern.name: route for route, pattern in api_routes()}
    assert set(API_PRIVILEGED_WRITES) <= set(routes)
    failures = []
    for kind, needs_mfa, user in people:
        client = client_for(user)
        for name, (method, may) in API_PRIVILEGED_WRITES.items():
            if kind in may and not needs_mfa:
                continue
            path = _fill(routes[name], {"org": organisation.slug, **objects})
            status = getattr(client, method)(path, {}, content_type="application/json").status_code
            if not (status == 403 if kind in may else status in (403, 404)):
                who = f"{kind}{' without two-factor' if needs_mfa else ''}"
                failures.append(f"{who}: {method.upper()} {path} gave {status}")
    assert not failures, "\n".join(failures)
