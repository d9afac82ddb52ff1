"""Who may call the triage, My ideas, notification, pulse and team endpoints: every role,
an outsider and an anonymous caller by every endpoint by every method. The table is
written out by hand, not derived from the code."""

import pytest
from django_scopes import scopes_disabled

from ideas.models import Notification
from tests.api.conftest import ApiClient

STATUS, TEAM, MY_IDEAS = "status", "team", "my-ideas"
NOTIFICATIONS, READ, READ_ALL = "notifications", "read", "read-all"
PULSE, PULSE_SUMMARY, TEAMS, TEAM_DETAIL = "pulse", "pulse-summary", "teams", "team-detail"

MEMBER = {  # what any member gets, whatever their role
    MY_IDEAS: {"get": 200, "post": 405, "delete": 405},
    NOTIFICATIONS: {"get": 200, "post": 405, "delete": 405},
    READ: {"get": 405, "post": 200, "delete": 405},
    READ_ALL: {"get": 405, "post": 200, "delete": 405},
    PULSE: {"get": 405, "post": 201, "delete": 405},
    PULSE_SUMMARY: {"get": 200, "post": 405, "delete": 405},
    TEAMS: {"get": 200, "post": 405, "delete": 405},
    TEAM_DETAIL: {"get": 200, "post": 405, "delete": 405},
}
TRIAGER = {  # QI leads and admins (with two-factor) triage every idea
    STATUS: {"get": 405, "post": 200, "delete": 405},
    TEAM: {"get": 405, "post": 200, "delete": 405},
}
NOT_A_TRIAGER = {  # staff on no team: refused by the inbox's predicate, whatever the method
    STATUS: {"get": 403, "post": 403, "delete": 403},
    TEAM: {"get": 403, "post": 403, "delete": 403},
}
OUTSIDER = {  # a member of another organisation: 404 on everything of this one
    endpoint: {"get": 404, "post": 404, "delete": 404} for endpoint in {**MEMBER, **TRIAGER}
}
ANONYMOUS = {  # nobody signed in and no token: 401 everywhere
    endpoint: {"get": 401, "post": 401, "delete": 401} for endpoint in {**MEMBER, **TRIAGER}
}
EXPECTED = {
    "staff": {**MEMBER, **NOT_A_TRIAGER},
    "qi_lead": {**MEMBER, **TRIAGER},
    "org_admin": {**MEMBER, **TRIAGER},
    "outsider": OUTSIDER,
    "anonymous": ANONYMOUS,
}
USERS = {"staff": "bob", "qi_lead": "lena", "org_admin": "alice", "outsider": "charlie"}
MEMBERS = {"staff", "qi_lead", "org_admin"}


def _path(endpoint, idea, team, notification):
    base = "/api/v1/city-hospitals"
    return {
        STATUS: f"{base}/ideas/{idea.pk}/status/",
        TEAM: f"{base}/ideas/{idea.pk}/team/",
        MY_IDEAS: f"{base}/my-ideas/",
        NOTIFICATIONS: f"{base}/notifications/",
        READ: f"{base}/notifications/{notification.pk}/read/",
        READ_ALL: f"{base}/notifications/read-all/",
        PULSE: f"{base}/pulse/",
        PULSE_SUMMARY: f"{base}/pulse/summary/",
        TEAMS: f"{base}/teams/",
        TEAM_DETAIL: f"{base}/teams/{team.pk}/",
    }[endpoint]


BODIES = {
    STATUS: {"status": "under_review", "message": "We are looking at it."},
    TEAM: {"team": None},
    PULSE: {"score": 4, "tags": ["teamwork"]},
}


def _notification_for(user, organisation, idea):
    with scopes_disabled():
        return Notification.objects.create(
            organisation=organisation, recipient=user, idea=idea, type="comment", text="New comment"
        )


@pytest.mark.parametrize("who", list(EXPECTED))
def test_permission_matrix(who, request, organisation, share, dana):
    from tests.factories import TeamFactory

    user = request.getfixturevalue(USERS[who]) if who in USERS else None
    idea = share(dana)
    with scopes_disabled():
        team = TeamFactory(organisation=organisation)
    # The caller's own notification (an outsider and a visitor try Dana's).
    notification = _notification_for(user if who in MEMBERS else dana, organisation, idea)
    client = ApiClient(user=user)
    for endpoint, methods in EXPECTED[who].items():
        for method, expected in methods.items():
            path = _path(endpoint, idea, team, notification)
            body = BODIES.get(endpoint, {}) if method == "post" else None
            response = client.request(method, path, body)
            assert response.status_code == expected, (
                f"{who} {method.upper()} {path}: {response.status_code} {response.content[:200]}"
            )
            if expected >= 400:
                assert response["Content-Type"] == "application/problem+json"


def test_a_read_only_token_reads_but_may_not_post(make_token, lena, organisation, share, dana):
    from tests.factories import TeamFactory

    idea = share(dana)
    notification = _notification_for(lena, organisation, idea)
    with scopes_disabled():
        team = TeamFactory(organisation=organisation)
    client = ApiClient(token=make_token(lena, organisation, scope="read"))
    for endpoint in {**MEMBER, **TRIAGER}:
        path = _path(endpoint, idea, team, notification)
        if endpoint in (MY_IDEAS, NOTIFICATIONS, PULSE_SUMMARY, TEAMS, TEAM_DETAIL):
            assert client.get(path).status_code == 200, path
        response = client.post(path, BODIES.get(endpoint, {}))
        assert response.status_code == 403, path
        assert response.json()["detail"] == "This token may only read."
    with scopes_disabled():
        notification.refresh_from_db()
    assert not notification.is_read


def test_a_write_token_triages_like_the_session(make_token, lena, organisation, share, dana):
    idea = share(dana)
    client = ApiClient(token=make_token(lena, organisation))
    response = client.post(f"/api/v1/city-hospitals/ideas/{idea.pk}/status/", BODIES[STATUS])
    assert response.status_code == 200


def test_a_lead_without_two_factor_may_not_triage(api_for, lena, organisation, share, dana):
    from allauth.mfa.models import Authenticator

    idea = share(dana)
    with scopes_disabled():
        Authenticator.objects.filter(user=lena).delete()
    client = api_for(lena)
    for endpoint in (STATUS, TEAM):
        response = client.post(
            f"/api/v1/city-hospitals/ideas/{idea.pk}/{endpoint}/", BODIES[endpoint]
        )
        assert response.status_code == 403
        assert "two-factor" in response.json()["detail"]
    # What every member uses needs no two-factor authentication.
    assert client.get("/api/v1/city-hospitals/my-ideas/").status_code == 200
