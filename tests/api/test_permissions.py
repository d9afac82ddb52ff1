"""Who may call what: every role, an outsider and an anonymous caller by every
endpoint by every method. The table is written out by hand, not derived from the code."""

import uuid

import pytest

from tests.api.conftest import ApiClient

# Endpoint -> the body a POST sends (None: nothing to send).
ME, IDEAS, IDEA, SUPPORT, COMMENTS = "me", "ideas", "idea", "support", "comments"
CATEGORIES, SITES, WARDS = "categories", "sites", "wards"

MEMBER = {  # what any member of the organisation gets, whatever their role
    ME: {"get": 200, "post": 405, "delete": 405},
    IDEAS: {"get": 200, "post": 201, "delete": 405},
    IDEA: {"get": 200, "post": 405, "delete": 405},
    SUPPORT: {"get": 405, "post": 200, "delete": 200},
    COMMENTS: {"get": 200, "post": 201, "delete": 405},
    CATEGORIES: {"get": 200, "post": 405, "delete": 405},
    SITES: {"get": 200, "post": 405, "delete": 405},
    WARDS: {"get": 200, "post": 405, "delete": 405},
}
OUTSIDER = {  # a member of another organisation: 404 on everything of this one
    ME: {"get": 200, "post": 405, "delete": 405},
    **{
        endpoint: {"get": 404, "post": 404, "delete": 404}
        for endpoint in (IDEAS, IDEA, SUPPORT, COMMENTS, CATEGORIES, SITES, WARDS)
    },
}
ANONYMOUS = {  # nobody signed in and no token: 401 everywhere
    endpoint: {"get": 401, "post": 401, "delete": 401} for endpoint in MEMBER
}
EXPECTED = {
    "staff": MEMBER,
    "qi_lead": MEMBER,
    "org_admin": MEMBER,
    "outsider": OUTSIDER,
    "anonymous": ANONYMOUS,
}


def _path(endpoint, org, idea_id):
    base = f"/api/v1/{org}"
    return {
        ME: "/api/v1/me/",
        IDEAS: f"{base}/ideas/",
        IDEA: f"{base}/ideas/{idea_id}/",
        SUPPORT: f"{base}/ideas/{idea_id}/support/",
        COMMENTS: f"{base}/ideas/{idea_id}/comments/",
        CATEGORIES: f"{base}/categories/",
        SITES: f"{base}/sites/",
        WARDS: f"{base}/wards/",
    }[endpoint]


def _body(endpoint, categories, ward):
    if endpoint == IDEAS:
        return {
            "submission_id": str(uuid.uuid4()),
            "kind": "idea",
            "title": "Label the spare oxygen cylinders",
            "description": "Night staff cannot find them quickly.",
            "category": categories["Efficiency and waste"].pk,
            "ward": ward.pk,
        }
    if endpoint == COMMENTS:
        return {"body": "We tried this on Ward 3 and it helped."}
    return {}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_permission_matrix(who, request, organisation, categories, ward, share, dana):
    user = {
        "staff": "bob",
        "qi_lead": "lena",
        "org_admin": "alice",
        "outsider": "charlie",
        "anonymous": None,
    }[who]
    client = ApiClient(user=request.getfixturevalue(user) if user else None)
    idea = share(dana)
    table = EXPECTED[who]
    for endpoint, methods in table.items():
        for method, expected in methods.items():
            path = _path(endpoint, organisation.slug, idea.pk)
            body = _body(endpoint, categories, ward) if method == "post" else None
            response = client.request(method, path, body)
            assert response.status_code == expected, (
                f"{who} {method.upper()} {path}: {response.status_code} {response.content[:200]}"
            )
            if expected >= 400:
                assert response["Content-Type"] == "application/problem+json"


def test_an_unknown_organisation_looks_like_a_foreign_one(api_for, charlie, organisation):
    client = api_for(charlie)
    foreign = client.get(f"/api/v1/{organisation.slug}/ideas/")
    missing = client.get("/api/v1/no-such-trust/ideas/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_the_session_needs_its_csrf_token_to_change_anything(
    api_for, bob, organisation, share, dana
):
    idea = share(dana)
    client = api_for(bob, enforce_csrf=True)
    assert client.get(f"/api/v1/{organisation.slug}/ideas/").status_code == 200
    response = client.post(f"/api/v1/{organisation.slug}/ideas/{idea.pk}/support/")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_privileged_endpoint_checks_the_role_and_then_two_factor(rf, bob, lena, organisation):
    """The base's role and two-factor checks, on an endpoint only QI leads may use."""
    from allauth.mfa.models import Authenticator
    from django_scopes import scopes_disabled
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from api.base import OrganisationViewMixin
    from organisations.permissions import can_view_dashboards

    class LeadsOnly(OrganisationViewMixin, APIView):
        privileged = staticmethod(can_view_dashboards)

        def get(self, request, org):
            return Response({"ok": True})

    view = LeadsOnly.as_view()

    def call(user):
        request = rf.get("/")
        request.user = user
        request._dont_enforce_csrf_checks = True
        return view(request, org=organisation.slug)

    assert call(bob).status_code == 403  # the role
    assert call(lena).status_code == 200
    with scopes_disabled():
        Authenticator.objects.filter(user=lena).delete()
    response = call(lena)
    assert response.status_code == 403
    assert "two-factor" in response.data["detail"]
