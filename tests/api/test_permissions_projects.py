"""Who may call the project and engagement endpoints: every role, a member of the
project's team, an outsider and an anonymous caller by every endpoint by every method.
The table is written out by hand from the web's rules, not derived from the code:
members read projects; leads, admins and the project team's members change them (staff
off the team get 403); leads and admins read engagement figures."""

import pytest
from allauth.mfa.models import Authenticator
from django_scopes import scopes_disabled

from projects.models import DriverNode, MeasurePoint, PDSACycle
from tests.api.conftest import ApiClient
from tests.factories import MeasureFactory

PROJECTS, PROJECT, DIAGRAM, NODES, NODE = "projects", "project", "diagram", "nodes", "node"
MEASURES, MEASURE, POINTS, POINT = "measures", "measure", "points", "point"
CYCLES, CYCLE, ENGAGEMENT = "cycles", "cycle", "engagement"
METHODS = ("get", "post", "patch", "delete")


def _row(get=405, post=405, patch=405, delete=405):
    return {"get": get, "post": post, "patch": patch, "delete": delete}


EDITOR = {  # a QI lead, an admin, or a member of the project's team
    PROJECTS: _row(get=200, post=201),
    PROJECT: _row(get=200, patch=200),
    DIAGRAM: _row(get=200),
    NODES: _row(post=201),
    NODE: _row(delete=204),
    MEASURES: _row(get=200, post=201),
    MEASURE: _row(get=200),
    POINTS: _row(post=201),
    POINT: _row(delete=204),
    CYCLES: _row(get=200, post=201),
    CYCLE: _row(get=200, patch=200),
}
LEAD = {**EDITOR, ENGAGEMENT: _row(get=200)}
TEAM_MEMBER = {**EDITOR, ENGAGEMENT: _row(403, 403, 403, 403)}
STAFF = {  # reads every project; changes none; no dashboards
    PROJECTS: _row(get=200, post=403),
    PROJECT: _row(get=200, patch=403),
    DIAGRAM: _row(get=200),
    NODES: _row(post=403),
    NODE: _row(delete=403),
    MEASURES: _row(get=200, post=403),
    MEASURE: _row(get=200),
    POINTS: _row(post=403),
    POINT: _row(delete=403),
    CYCLES: _row(get=200, post=403),
    CYCLE: _row(get=200, patch=403),
    ENGAGEMENT: _row(403, 403, 403, 403),
}
OUTSIDER = {endpoint: _row(404, 404, 404, 404) for endpoint in STAFF}
ANONYMOUS = {endpoint: _row(401, 401, 401, 401) for endpoint in STAFF}
EXPECTED = {
    "staff": STAFF,
    "team member": TEAM_MEMBER,
    "qi_lead": LEAD,
    "org_admin": LEAD,
    "outsider": OUTSIDER,
    "anonymous": ANONYMOUS,
}
USERS = {
    "staff": "bob",
    "team member": "tess",
    "qi_lead": "lena",
    "org_admin": "alice",
    "outsider": "charlie",
    "anonymous": None,
}


@pytest.fixture
def walked(organisation, project):
    """One object of each kind the project URLs name."""
    with scopes_disabled():
        measure = MeasureFactory(project=project, name="Falls a week", kind="count")
        node = DriverNode.objects.create(
            organisation=organisation, project=project, level="primary", text="Staffing"
        )
        point = MeasurePoint.objects.create(
            organisation=organisation, measure=measure, date="2026-01-05", value=4
        )
        cycle = PDSACycle.objects.create(
            organisation=organisation,
            project=project,
            number=1,
            change="Huddle",
            prediction="Fewer falls",
            start_date="2026-01-05",
        )
    return {"project": project, "measure": measure, "node": node, "point": point, "cycle": cycle}


def _path(endpoint, org, o):
    p = f"/api/v1/{org}/projects/{o['project'].pk}/"
    m = f"{p}measures/{o['measure'].pk}/"
    return {
        PROJECTS: f"/api/v1/{org}/projects/",
        PROJECT: p,
        DIAGRAM: f"{p}driver-diagram/",
        NODES: f"{p}driver-diagram/nodes/",
        NODE: f"{p}driver-diagram/nodes/{o['node'].pk}/",
        MEASURES: f"{p}measures/",
        MEASURE: m,
        POINTS: f"{m}points/",
        POINT: f"{m}points/{o['point'].pk}/",
        CYCLES: f"{p}pdsa/",
        CYCLE: f"{p}pdsa/{o['cycle'].pk}/",
        ENGAGEMENT: f"/api/v1/{org}/engagement/",
    }[endpoint]


def _body(endpoint, method, team):
    """A valid body for each change, so that only the caller decides the answer."""
    bodies = {
        (PROJECTS, "post"): {"title": "Fewer falls", "aim": "Halve falls by March.", "team": team},
        (PROJECT, "patch"): {"stage": "testing"},
        (NODES, "post"): {"level": "primary", "text": "Equipment"},
        (MEASURES, "post"): {
            "name": "Falls",
            "unit": "falls",
            "type": "outcome",
            "direction": "down",
        },
        (POINTS, "post"): {"date": "2026-01-12", "value": 3},
        (CYCLES, "post"): {"change": "Huddle", "prediction": "Fewer", "start_date": "2026-02-02"},
        (CYCLE, "patch"): {"act": "adopt"},
    }
    return None if method == "get" else bodies.get((endpoint, method), {})


@pytest.mark.parametrize("who", list(EXPECTED))
def test_permission_matrix(who, request, organisation, walked, team):
    user = USERS[who]
    client = ApiClient(user=request.getfixturevalue(user) if user else None)
    failures = []
    for endpoint, methods in EXPECTED[who].items():
        for method in METHODS:
            expected = methods[method]
            path = _path(endpoint, organisation.slug, walked)
            response = client.request(method, path, _body(endpoint, method, team.pk))
            if response.status_code != expected:
                failures.append(
                    f"{who} {method.upper()} {path}: {response.status_code}, not {expected} "
                    f"{response.content[:150]}"
                )
            elif expected >= 400:
                assert response["Content-Type"] == "application/problem+json"
    assert not failures, "\n".join(failures)


WRITES = [
    (PROJECTS, "post"),
    (PROJECT, "patch"),
    (NODES, "post"),
    (NODE, "delete"),
    (MEASURES, "post"),
    (POINTS, "post"),
    (POINT, "delete"),
    (CYCLES, "post"),
    (CYCLE, "patch"),
]


def test_a_read_token_reads_but_gets_403_on_every_write(
    api_for, make_token, lena, organisation, walked, team
):
    client = api_for(token=make_token(lena, organisation, scope="read"))
    for endpoint, method in WRITES:
        path = _path(endpoint, organisation.slug, walked)
        response = client.request(method, path, _body(endpoint, method, team.pk))
        assert response.status_code == 403, f"{method.upper()} {path}"
        assert "only read" in response.json()["detail"]
    for endpoint in (PROJECTS, PROJECT, DIAGRAM, MEASURES, MEASURE, CYCLES, CYCLE, ENGAGEMENT):
        assert client.get(_path(endpoint, organisation.slug, walked)).status_code == 200
    with scopes_disabled():
        assert DriverNode.objects.count() == MeasurePoint.objects.count() == 1


@pytest.mark.parametrize("user", ["lena", "alice"])
def test_a_lead_without_two_factor_reads_projects_but_changes_nothing(
    user, request, api_for, organisation, walked, team
):
    person = request.getfixturevalue(user)
    with scopes_disabled():
        Authenticator.objects.filter(user=person).delete()
    client = api_for(person)
    for endpoint, method in [*WRITES, (ENGAGEMENT, "get")]:
        path = _path(endpoint, organisation.slug, walked)
        response = client.request(method, path, _body(endpoint, method, team.pk))
        assert response.status_code == 403, f"{method.upper()} {path}"
        assert "two-factor" in response.json()["detail"]
    for endpoint in (PROJECTS, PROJECT, DIAGRAM, MEASURES, MEASURE, CYCLES, CYCLE):
        assert client.get(_path(endpoint, organisation.slug, walked)).status_code == 200
