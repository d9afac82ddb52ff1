"""The anonymity promise: nobody in the organisation learns who shared an anonymous idea.

Every organisation page is rendered (found by walking the URL configuration, so a new
page is covered without anyone adding it), plus the platform admin's screens, as a QI
lead, an organisation admin and a platform admin. None may show the submitter.
"""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django_scopes import scope, scopes_disabled

from ideas import services
from ideas.models import Comment, Idea, Notification, Status
from projects.models import Project
from tests.conftest import membership
from tests.factories import UserFactory
from tests.isolation.test_routes import _fill, objects_of_other_organisation, organisation_routes
from triage import services as triage_services

# Pages that list the organisation's people by design, not ideas.
# The staff screens list every member by design (the export too), never an idea.
PEOPLE_PAGES = {
    "member_list",
    "member_edit",
    "member_deactivate",
    "member_reactivate",
    "member_bulk",
    "member_export",
}
SUBMITTER_TRACES = ("Dana", "Whistleblower", "dana.whistle")
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def anonymous_idea(organisation, dana, lena, bob, share, django_capture_on_commit_callbacks):
    """Dana shares anonymously and comments in her thread; a lead moves the idea along."""
    idea = share(dana, anonymous=True, title="Bullying on night shifts")
    dana_member = membership(dana, organisation)
    with scope(organisation=organisation), django_capture_on_commit_callbacks(execute=True):
        services.comment_add(member=dana_member, idea=idea, body="It happened again last night.")
        services.comment_add(member=membership(bob, organisation), idea=idea, body="Same here.")
        # Through triage, so that the audit log (walked below) has an entry about it.
        triage_services.idea_triage_status(
            member=membership(lena, organisation),
            idea=idea,
            to_status=Status.UNDER_REVIEW,
            message="We are talking to the matron.",
        )
        services.idea_change_status(
            member=membership(lena, organisation), idea=idea, to_status=Status.IN_PROGRESS
        )
        services.idea_change_status(
            member=membership(lena, organisation),
            idea=idea,
            to_status=Status.IMPLEMENTED,
            message="A confidential reporting line now runs at night.",
        )
        services.pulse_check_in(member=dana_member, score=2, tags=["teamwork"])
        # Distinctive times of day, so that the test can look for them.
        Idea.objects.filter(pk=idea.pk).update(
            created_at=datetime(2026, 11, 20, 3, 17, tzinfo=LONDON)
        )
        Comment.objects.filter(idea=idea, by_anonymous_submitter=True).update(
            created_at=datetime(2026, 11, 20, 4, 29, tzinfo=LONDON)
        )
    return idea


@pytest.fixture
def platform_admin(db):
    user = UserFactory(email="root@improvewell.local", is_staff=True, is_superuser=True)
    TOTP.activate(user, generate_totp_secret())
    return user


def assert_anonymous(content: str, where: str):
    for trace in SUBMITTER_TRACES:
        assert trace not in content, f"{where} shows “{trace}”"
    for time_of_day in ("03:17", "3:17", "04:29", "4:29"):
        assert time_of_day not in content, f"{where} shows the time {time_of_day}"


def organisation_pages(organisation, idea):
    values = {
        **objects_of_other_organisation(organisation),  # a project, team, measure, ...
        "org_slug": organisation.slug,
        "idea_id": idea.pk,
        "ward_id": idea.ward_id,
        "category_id": idea.category_id,
    }
    with scopes_disabled():
        Project.objects.get(pk=values["project_id"]).ideas.add(idea)
    for route, pattern in organisation_routes():
        if pattern.name in PEOPLE_PAGES or "invitation_id" in route:
            continue
        yield _fill(route, values)


@pytest.mark.parametrize("viewer", ["lena", "alice"])
def test_no_organisation_page_reveals_the_anonymous_submitter(
    request, viewer, anonymous_idea, organisation, client_for
):
    client = client_for(request.getfixturevalue(viewer))
    seen = 0
    for path in organisation_pages(organisation, anonymous_idea):
        response = client.get(path)
        if response.status_code != 200:
            continue
        seen += 1
        # A streamed download (the audit log's CSV) is read like any page.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert_anonymous(body.decode(), f"{path} seen by {viewer}")
    assert seen >= 10
    # The pages that show the idea do show it, as anonymous.
    detail = client.get(f"/city-hospitals/ideas/{anonymous_idea.pk}/").content.decode()
    assert "Bullying on night shifts" in detail
    assert "Anonymous" in detail
    assert "Submitter (anonymous)" in detail
    assert "20 November 2026" in detail


def test_filters_and_search_reveal_nothing(anonymous_idea, lena, client_for):
    client = client_for(lena)
    for params in ({"q": "Bullying"}, {"status": "implemented"}, {"sort": "supported"}):
        assert_anonymous(client.get("/city-hospitals/ideas/", params).content.decode(), str(params))


def test_platform_admin_screens_reveal_nothing(anonymous_idea, platform_admin, client_for):
    client = client_for(platform_admin)
    with scopes_disabled():
        comment = Comment.objects.filter(idea=anonymous_idea).first()
        notification = Notification.objects.filter(idea=anonymous_idea).first()
    pages = [
        "/admin/ideas/idea/",
        f"/admin/ideas/idea/{anonymous_idea.pk}/change/",
        "/admin/ideas/comment/",
        f"/admin/ideas/comment/{comment.pk}/change/",
        "/admin/ideas/notification/",
        f"/admin/ideas/notification/{notification.pk}/change/",
        "/admin/ideas/pulsecheckin/",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        content = response.content.decode()
        # Dana is a user of the platform, but nothing about the idea may point to her.
        assert anonymous_idea.submitter_token not in content, path
        assert_anonymous(content, path)


def test_nothing_stored_with_the_idea_points_to_the_submitter(anonymous_idea, dana, organisation):
    with scope(organisation=organisation):
        idea = Idea.objects.get(pk=anonymous_idea.pk)
        comments = list(Comment.objects.filter(idea=idea, by_anonymous_submitter=True))
        notifications = list(Notification.objects.filter(idea=idea))
        row = Idea.objects.filter(pk=idea.pk).values().first()
    assert idea.author_id is None
    assert all(c.author_id is None for c in comments)
    assert all(n.recipient_id is None and n.recipient_token for n in notifications)
    stored = " ".join(str(v) for v in row.values())
    assert str(dana.email) not in stored
    assert not re.search(r"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b", stored)  # no IP address
    field_names = {f.name for f in Idea._meta.get_fields()}
    assert not field_names & {"ip_address", "user_agent", "session_key"}


def test_the_submitter_still_finds_their_idea_and_gets_its_updates(
    anonymous_idea, dana, organisation, client_for
):
    client = client_for(dana)
    mine = client.get("/city-hospitals/my-ideas/").content.decode()
    assert "Bullying on night shifts" in mine
    assert "anonymously" in mine
    notifications = client.get("/city-hospitals/notifications/").content.decode()
    assert "New comment on “Bullying on night shifts”" in notifications
    assert "“Bullying on night shifts” is now implemented" in notifications
    # Nothing was emailed as it happened; the daily email tells her, naming nothing.
    to_dana = [m for m in mail.outbox if m.to == ["dana.whistle@city.nhs.uk"]]
    assert to_dana == []
    with scope(organisation=organisation):
        assert services.anonymous_updates_send(organisation=organisation) == 1
    [email] = [m for m in mail.outbox if m.to == ["dana.whistle@city.nhs.uk"]]
    assert "Something you shared" in email.subject
    assert "Bullying" not in email.body + email.subject
    assert str(anonymous_idea.pk) not in email.body
    page = client.get(f"/city-hospitals/ideas/{anonymous_idea.pk}/").content.decode()
    assert "Anonymous (you)" in page.replace("\n", "")


def test_others_do_not_get_the_submitters_notifications(anonymous_idea, bob, client_for):
    content = client_for(bob).get("/city-hospitals/notifications/").content.decode()
    assert "Bullying on night shifts" not in content
