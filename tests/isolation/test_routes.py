"""Tenant isolation, proved for every route without anyone listing them.

The test walks the URL configuration. For every pattern under /<org_slug>/ it checks
that (1) a member of another organisation gets 404, and (2) a member of the
organisation who asks for an object of another organisation by id gets 404 too.
A new route is covered automatically; a new URL parameter must be taught to
`objects_of_other_organisation` below, or this test fails.
"""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django_scopes import scopes_disabled

from tests import factories


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def organisation_routes():
    routes = [
        (route, pattern)
        for route, pattern in _walk(get_resolver().url_patterns)
        if "<slug:org_slug>" in route
    ]
    assert routes, "no organisation routes found"
    return routes


def _fill(route: str, values: dict) -> str:
    path = route
    for name, value in values.items():
        for converter in ("slug", "int", "uuid", "str", "path"):
            path = path.replace(f"<{converter}:{name}>", str(value))
    assert "<" not in path, f"unfilled parameter in {route}: teach objects_of_other_organisation"
    return "/" + path


def objects_of_other_organisation(organisation) -> dict:
    """One object of each kind that a URL can name, owned by `organisation`."""
    from ideas.models import Notification, PulseTag
    from organisations.models import ImportJob, SignupDomain
    from projects.models import ChangePoint, DriverNode, MeasurePoint, PDSACycle
    from triage.models import RoutingRule
    from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

    with scopes_disabled():
        membership = factories.MembershipFactory(organisation=organisation)
        invitation = factories.InvitationFactory(organisation=organisation)
        idea = factories.IdeaFactory(organisation=organisation, author=membership.user)
        measure = factories.MeasureFactory(project__organisation=organisation)
        project = measure.project
        project.ideas.add(idea)
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
            prediction="Fewer delays",
            start_date="2026-01-05",
        )
        change = ChangePoint.objects.create(
            organisation=organisation, measure=measure, date="2026-01-05", label="Huddle"
        )
        notification = Notification.objects.create(
            organisation=organisation,
            recipient=membership.user,
            idea=idea,
            type=Notification.Type.COMMENT,
            text="New comment",
        )
        endpoint = WebhookEndpoint.objects.create(
            organisation=organisation,
            url="https://hooks.example.nhs.uk/improvewell",
            events=["idea.shared"],
            secret="whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=",
        )
        delivery = WebhookDelivery.objects.create(
            organisation=organisation,
            endpoint=endpoint,
            event="webhook.test",
            payload={"type": "webhook.test"},
            state="failed",
            attempts=1,
            last_status_code=500,
        )
        WebhookAttempt.objects.create(
            organisation=organisation, delivery=delivery, number=1, status_code=500
        )
        rule = RoutingRule.objects.create(
            organisation=organisation, name="Walked rule", team=project.team
        )
        rule.wards.add(idea.ward)
        domain = SignupDomain.objects.create(
            organisation=organisation, domain=f"{organisation.slug}.example.nhs.uk"
        )
        import_job = ImportJob.objects.create(
            organisation=organisation,
            mode=ImportJob.Mode.CREATE,
            state=ImportJob.State.REJECTED,
            file_name="staff.csv",
            total=1,
            errors=["Row 2: the name is empty."],
        )
        pulse_tag = PulseTag.objects.filter(organisation=organisation).first()
    return {
        "membership_id": membership.pk,
        "invitation_id": invitation.pk,
        "idea_id": idea.pk,
        "ward_id": idea.ward_id,
        "site_id": idea.ward.site_id,
        "category_id": idea.category_id,
        "team_id": project.team_id,
        "project_id": project.pk,
        "node_id": node.pk,
        "measure_id": measure.pk,
        "point_id": point.pk,
        "cycle_id": cycle.pk,
        "change_id": change.pk,
        "notification_id": notification.pk,
        "endpoint_id": endpoint.pk,
        "rule_id": rule.pk,
        "domain_id": domain.pk,
        "import_job_id": import_job.pk,
        "tag_id": pulse_tag.pk,
    }


@pytest.fixture
def other_objects(other_organisation):
    return objects_of_other_organisation(other_organisation)


@pytest.fixture
def own_objects(organisation):
    return objects_of_other_organisation(organisation)


def test_every_organisation_route_is_walked():
    names = {pattern.name for _, pattern in organisation_routes()}
    assert {"home", "member_list", "member_edit", "invitation_revoke", "board", "detail"} <= names


@pytest.mark.parametrize("method", ["get", "post"])
def test_member_of_another_organisation_gets_404_on_every_route(
    method, client_for, charlie, organisation, own_objects
):
    client = client_for(charlie)  # admin of Hill NHS Trust, outsider to City Hospitals
    for route, _ in organisation_routes():
        path = _fill(route, {"org_slug": organisation.slug, **own_objects})
        response = getattr(client, method)(path)
        assert response.status_code == 404, f"{method.upper()} {path} gave {response.status_code}"


@pytest.mark.parametrize("method", ["get", "post"])
def test_admin_asking_for_another_organisations_objects_gets_404(
    method, client_for, alice, organisation, other_objects
):
    client = client_for(alice)  # admin of City Hospitals, with MFA: passes every role check
    for route, _ in organisation_routes():
        params = {k: v for k, v in other_objects.items() if f":{k}>" in route}
        if not params:
            continue
        path = _fill(route, {"org_slug": organisation.slug, **params})
        response = getattr(client, method)(path)
        # A POST-only route refuses GET before looking anything up: no oracle there.
        expected = {404, 405} if method == "get" else {404}
        assert response.status_code in expected, (
            f"{method.upper()} {path} gave {response.status_code}"
        )


def test_unknown_organisation_and_foreign_organisation_look_the_same(
    client_for, charlie, organisation
):
    client = client_for(charlie)
    foreign = client.get(f"/{organisation.slug}/")
    missing = client.get("/no-such-trust/")
    assert foreign.status_code == missing.status_code == 404
    csrf = re.compile(rb'"X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"')
    assert csrf.sub(b"", foreign.content) == csrf.sub(b"", missing.content)


def test_signed_out_visitor_is_sent_to_sign_in_whether_or_not_the_organisation_exists(
    client, organisation
):
    for slug in (organisation.slug, "no-such-trust"):
        response = client.get(f"/{slug}/manage/staff/")
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


def test_random_object_ids_give_404_not_500(client_for, alice, organisation):
    client = client_for(alice)
    for route, _ in organisation_routes():
        path = _fill(
            route,
            {
                "org_slug": organisation.slug,
                "membership_id": 987654321,
                "invitation_id": uuid.uuid4(),
                "idea_id": uuid.uuid4(),
                "endpoint_id": uuid.uuid4(),
                "import_job_id": uuid.uuid4(),
                **dict.fromkeys(
                    [
                        "ward_id",
                        "site_id",
                        "category_id",
                        "team_id",
                        "project_id",
                        "node_id",
                        "measure_id",
                        "point_id",
                        "cycle_id",
                        "change_id",
                        "rule_id",
                        "domain_id",
                        "tag_id",
                    ],
                    987654321,
                ),
            },
        )
        assert client.get(path).status_code in (200, 404, 405), path
        assert client.post(path).status_code in (200, 302, 400, 404), path


def test_deactivated_member_can_no_longer_reach_the_organisation(client_for, bob, organisation):
    client = client_for(bob)
    assert client.get(f"/{organisation.slug}/").status_code == 200
    with scopes_disabled():
        membership = bob.memberships.get(organisation=organisation)
        membership.is_active = False
        membership.save()
    assert client.get(f"/{organisation.slug}/").status_code == 404
    assert client.get(f"/{organisation.slug}/profile/").status_code == 404


def test_role_is_checked_inside_the_organisation(client_for, bob, organisation):
    response = client_for(bob).get(f"/{organisation.slug}/manage/staff/")
    assert response.status_code == 403


# The REST API (api/urls.py): /api/v1/<org>/…, with its own tenancy in api/base.py.


def api_routes():
    routes = [
        (route, pattern)
        for route, pattern in _walk(get_resolver().url_patterns)
        if route.startswith("api/") and "<slug:org>" in route
    ]
    assert routes, "no API organisation routes found"
    return routes


def _api_token(user, organisation):
    from datetime import timedelta

    from api.tokens import token_create

    return token_create(
        user=user,
        organisation_id=organisation.pk,
        name="Isolation test",
        scope="write",
        lifetime=timedelta(days=1),
    )[1]


def test_every_api_route_is_walked():
    names = {pattern.name for _, pattern in api_routes()}
    assert {"idea_list", "idea_detail", "idea_support", "idea_comments", "ward_list"} <= names


@pytest.mark.parametrize("auth", ["session", "token"])
def test_member_of_another_organisation_gets_404_on_every_api_route(
    auth, charlie, organisation, other_organisation, own_objects
):
    from django.test import Client

    client = Client()
    headers = {}
    if auth == "session":
        client.force_login(charlie)
    else:  # a token of charlie's own organisation, used on the other's URLs
        headers = {"Authorization": f"Bearer {_api_token(charlie, other_organisation)}"}
    for route, _ in api_routes():
        path = _fill(route, {"org": organisation.slug, **own_objects})
        for method in ("get", "post", "put", "patch", "delete"):
            response = getattr(client, method)(path, headers=headers)
            assert response.status_code == 404, f"{auth} {method.upper()} {path}"


@pytest.mark.parametrize("auth", ["session", "token"])
def test_member_asking_the_api_for_another_organisations_objects_gets_404(
    auth, alice, organisation, other_objects
):
    from django.test import Client

    client = Client()
    headers = {}
    if auth == "session":
        client.force_login(alice)
    else:
        headers = {"Authorization": f"Bearer {_api_token(alice, organisation)}"}
    walked = found = 0
    for route, _ in api_routes():
        params = {k: v for k, v in other_objects.items() if f":{k}>" in route}
        if not params:
            continue
        walked += 1
        path = _fill(route, {"org": organisation.slug, **params})
        for method in ("get", "post", "delete"):
            response = getattr(client, method)(path, headers=headers)
            # A method the endpoint lacks is refused before anything is looked up.
            assert response.status_code in (404, 405), f"{auth} {method.upper()} {path}"
            found += response.status_code == 404
    assert walked >= 3 and found >= 5


UNKNOWN_ID_KWARGS = ("team_id", "notification_id", "project_id", "node_id", "measure_id")
UNKNOWN_ID_KWARGS += ("point_id", "cycle_id")


def test_random_object_ids_give_the_api_404_not_500(client_for, alice, organisation):
    client = client_for(alice)
    for route, _ in api_routes():
        ids = dict.fromkeys(UNKNOWN_ID_KWARGS, 987654321)
        path = _fill(route, {"org": organisation.slug, "idea_id": uuid.uuid4(), **ids})
        assert client.get(path).status_code in (200, 404, 405), path
        # 200: an endpoint that takes no body (marking all notifications read).
        assert client.post(path).status_code in (200, 400, 404, 405, 415), path
