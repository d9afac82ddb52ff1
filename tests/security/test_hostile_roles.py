"""Hostile input as every other role: zero 5xx, and clean refusals.

`test_hostile_input.py` walks every organisation page as an admin, who reaches them
all. Here a staff member, a member of the team that owns the walked idea and project, a
QI lead, a member of another organisation and a signed-out visitor each run the
deterministic sweep (pass 1 of the shared walker, `walker.py`) over the same routes:
hostile values in every query parameter and in every form field of the pages they
reach (sharing, comments, supports, the pulse check-in, the profile, notifications,
"My ideas", the filters). They must never get a 5xx.

Then every form an admin sees that the role's own pages did not show is posted by the
role with hostile values. Where the role may not use it (`WHO_MAY`, the table of who may
use each page) it must be refused cleanly: 403 or 404 for a member, 404 for an
outsider, the sign-in page for a visitor. Every page the role may read must have been
read, so that the sweep cannot pass by reaching nothing.
"""

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from ideas.models import Idea
from projects.models import Project
from tests import factories
from tests.isolation.test_privileged_routes import WHO_MAY
from tests.isolation.test_routes import _fill, objects_of_other_organisation, organisation_routes
from tests.security.walker import POOLS, RUN_LAST, Walker, kind_of, parse, route_name, shape

# Bounded more tightly than the admin's walk (the views parse queries the same way
# for everyone): the pools are cycled round robin over a form's fields, and put the
# most telling values first, so each field still gets those.
POSTS_PER_FORM = 8
VALUES_PER_PARAMETER = 4
# Hostile posts of each form the role did not see (one hostile field each).
REFUSED_POSTS = 3
ROLES = ["staff", "team member", "qi_lead", "outsider", "visitor"]


def _team_member(organisation, ward, objects):
    """A staff member on the team that owns the walked idea and project."""
    with scopes_disabled():
        membership = factories.MembershipFactory(
            organisation=organisation, user__email="team.member@city.nhs.uk", home_ward=ward
        )
        team = factories.TeamFactory(organisation=organisation, name="Walked team")
        team.members.add(membership)
        Idea.objects.filter(pk=objects["idea_id"]).update(team=team)
        Project.objects.filter(pk=objects["project_id"]).update(team=team)
    objects["team_id"] = team.pk
    return membership.user


@pytest.fixture
def person(request, organisation, ward, bob, lena, charlie):
    """(role, signed-in client or a visitor's, the walked objects) for the role asked."""
    objects = objects_of_other_organisation(organisation)
    users = {"staff": bob, "qi_lead": lena, "outsider": charlie}
    if request.param == "team member":
        users["team member"] = _team_member(organisation, ward, objects)
    client = Client(raise_request_exception=False)
    if request.param in users:
        client.force_login(users[request.param])
    return request.param, client, objects


def _refusal(role, response, method="post"):
    """How a role that may not use a route must be turned away."""
    status, location = response.status_code, response.get("Location", "")
    if role == "visitor":
        return status == 302 and location.startswith("/accounts/login/")
    if role == "outsider":
        return status == 404
    # A POST-only route may refuse a GET before looking at who asks.
    return status in (403, 404) or (method, status) == ("get", 405)


def _admin_forms(walker, admin, paths):
    """Every posted form an admin sees on the pages, one of each shape."""
    forms = {}
    for path in paths:
        response = walker.request("get", path, {}, client=admin)
        if response is not None and response.status_code == 200:
            for form in parse(response, path).forms:
                if form["method"] == "post" and form["action"].startswith(walker.prefix):
                    forms.setdefault(shape(form), (path, form))
    return forms.values()


def _post_refused(walker, role, page_path, form, refused):
    names = list(form["f"])
    for name in names[:REFUSED_POSTS] or ["next"]:
        data = {n: v for n, f in form["f"].items() if (v := walker.valid(n, f)) is not None}
        field = form["f"].get(name, {"choices": []})
        data[name] = POOLS[kind_of(name, field)][0]
        response = walker.request("post", form["action"], data)
        if response is not None and not _refusal(role, response):
            refused.append(f"POST {form['action']} (from {page_path}) gave {response.status_code}")


@pytest.mark.parametrize("person", ROLES, indirect=True)
def test_every_role_meets_hostile_input_without_a_5xx(
    person,
    organisation,
    alice,
    lift_submission_limit,
    quiet_request_log,
    django_capture_on_commit_callbacks,
):
    role, client, objects = person
    walker = Walker(
        client,
        f"/{organisation.slug}/",
        django_capture_on_commit_callbacks,
        posts=POSTS_PER_FORM,
        values=VALUES_PER_PARAMETER,
    )
    routes = sorted(organisation_routes(), key=lambda r: r[1].name in RUN_LAST)
    paths = {p.name: _fill(r, {"org_slug": organisation.slug, **objects}) for r, p in routes}
    refused, unread = [], []
    try:
        for name, path in paths.items():
            walker.sweep_page(path, last=name in RUN_LAST)
            response = walker.answers[path]
            if response is None:
                continue
            if role in WHO_MAY[name][0]:
                if response.status_code not in (200, 405):
                    unread.append(f"GET {path} gave {response.status_code}")
            elif not _refusal(role, response, "get"):
                refused.append(f"GET {path} gave {response.status_code}")
        for page_path, form in walker.deferred:
            walker.sweep_form(page_path, form)
        admin = Client(raise_request_exception=False)
        admin.force_login(alice)
        for page_path, form in _admin_forms(walker, admin, paths.values()):
            name = route_name(form["action"])
            if shape(form) not in walker.swept and role not in WHO_MAY[name][1]:
                _post_refused(walker, role, page_path, form, refused)
    finally:
        walker.close()

    assert not walker.failures, walker.report()
    assert not refused, f"{role} was not turned away cleanly:\n" + "\n".join(refused)
    assert not unread, f"{role} could not read pages they may read:\n" + "\n".join(unread)
    if role in ("outsider", "visitor"):
        assert walker.accepted_posts == 0
    else:
        assert walker.accepted_posts >= 3, "the sweep stored nothing"
    print(f"{role}: {walker.requests} requests, {walker.accepted_posts} posts accepted")
