from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from dashboards.pulse import ward_summary as pulse_ward_summary
from dashboards.rollup import rollup_range
from ideas import services
from ideas.models import Notification, PulseCheckIn, Status
from ideas.tasks import send_notification_email_task
from tests.conftest import membership
from tests.factories import MembershipFactory


def change(lena, organisation, idea, to_status, message=""):
    with scope(organisation=organisation):
        return services.idea_change_status(
            member=membership(lena, organisation), idea=idea, to_status=to_status, message=message
        )


def test_status_changes_follow_the_workflow(lena, bob, organisation, share):
    idea = share(bob)
    with pytest.raises(ValidationError, match="cannot move to"):
        change(lena, organisation, idea, Status.IMPLEMENTED)
    with pytest.raises(ValidationError, match="Explain why"):
        change(lena, organisation, idea, Status.NOT_TAKEN_FORWARD)
    with pytest.raises(ValidationError, match="merging"):
        change(lena, organisation, idea, Status.DUPLICATE)
    change(lena, organisation, idea, Status.UNDER_REVIEW, "Looking at it")
    with scope(organisation=organisation):
        idea.refresh_from_db()
    assert idea.status == Status.UNDER_REVIEW
    assert idea.first_response_at is not None


def test_submitter_is_notified_in_app_and_by_email_after_commit(
    lena, bob, organisation, share, client_for, django_capture_on_commit_callbacks
):
    idea = share(bob)
    with django_capture_on_commit_callbacks(execute=True):
        change(lena, organisation, idea, Status.UNDER_REVIEW, "Looking at it")
    assert [m.to for m in mail.outbox] == [["bob@city.nhs.uk"]]
    assert f"/city-hospitals/ideas/{idea.pk}/" in mail.outbox[0].body
    client = client_for(bob)
    home = client.get("/city-hospitals/").content.decode()
    assert '<span class="iw-badge">1<span class="nhsuk-u-visually-hidden"> unread' in home
    mine = client.get("/city-hospitals/my-ideas/").content.decode()
    assert "1 new update" in mine
    client.get(f"/city-hospitals/ideas/{idea.pk}/")  # reading the idea reads its updates
    assert "iw-badge" not in client.get("/city-hospitals/").content.decode()


def test_members_can_turn_email_off(
    lena, bob, organisation, share, client_for, django_capture_on_commit_callbacks
):
    client_for(bob).post("/city-hospitals/notifications/email/", {})
    bob.refresh_from_db()
    assert bob.email_notifications is False
    idea = share(bob)
    with django_capture_on_commit_callbacks(execute=True):
        change(lena, organisation, idea, Status.UNDER_REVIEW)
    assert mail.outbox == []
    with scopes_disabled():
        assert Notification.objects.filter(recipient=bob).count() == 1


def test_notification_email_is_sent_once(lena, bob, organisation, share):
    idea = share(bob)
    change(lena, organisation, idea, Status.UNDER_REVIEW)
    with scopes_disabled():
        notification = Notification.objects.get()
    for _ in range(2):
        send_notification_email_task.delay(
            organisation_id=organisation.pk, notification_id=notification.pk
        )
    assert len(mail.outbox) == 1


def test_mark_all_notifications_read(lena, bob, organisation, share, client_for):
    idea = share(bob)
    change(lena, organisation, idea, Status.UNDER_REVIEW)
    client = client_for(bob)
    response = client.post("/city-hospitals/notifications/", follow=True)
    assert "Marked 1 notification as read." in response.content.decode()


def test_notifications_page_has_an_empty_state(bob, client_for):
    content = client_for(bob).get("/city-hospitals/notifications/").content.decode()
    assert "No notifications yet" in content


def test_pulse_once_a_day_replaces_and_stores_no_person(bob, organisation, client_for):
    client = client_for(bob)
    client.post("/city-hospitals/pulse/", {"score": "2", "tags": ["staffing", "workload"]})
    client.post("/city-hospitals/pulse/", {"score": "4", "tags": ["teamwork"]})
    with scopes_disabled():
        [check_in] = PulseCheckIn.objects.values()
    assert check_in["score"] == 4
    assert check_in["tags"] == ["teamwork"]
    assert set(check_in) == {
        "id",
        "organisation_id",
        "ward_id",
        "day",
        "day_token",
        "score",
        "tags",
    }


def test_pulse_rejects_bad_input_with_field_errors(bob, client_for):
    client = client_for(bob)
    for data in ({}, {"score": "9"}, {"score": "3", "tags": ["gossip"]}):
        response = client.post("/city-hospitals/pulse/", data)
        assert response.status_code == 400, data
    assert (
        "Choose how your shift was, from 1 to 5."
        in client.post("/city-hospitals/pulse/", {}).content.decode()
    )


def test_ward_average_is_last_months_once_enough_checked_in(bob, organisation, ward, client_for):
    """The thanks page shows the ward's last complete month, never a figure that moves
    with each check-in (the next person's check-in would give the last one away)."""
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    client = client_for(bob)
    with scopes_disabled():
        colleagues = MembershipFactory.create_batch(10, organisation=organisation, home_ward=ward)
    with scope(organisation=organisation):
        services.pulse_check_in(member=membership(bob, organisation), score=4, tags=[],
                                day=last_month)  # fmt: skip
        for colleague in colleagues[:9]:
            services.pulse_check_in(member=colleague, score=2, tags=[], day=last_month)
        rollup_range(organisation, last_month, today)
    content = client.get("/city-hospitals/pulse/thanks/").content.decode()
    assert "No average to show yet" in content  # ten check-ins: fewer than 11
    with scope(organisation=organisation):
        services.pulse_check_in(member=colleagues[9], score=2, tags=[], day=last_month)
        rollup_range(organisation, last_month, today)
    content = client.get("/city-hospitals/pulse/thanks/").content.decode()
    assert f"{ward.name} in {last_month:%B %Y}" in content
    assert "Average: <strong>2.2</strong> out of 5, from 11 check-ins." in content
    # Today's check-in changes nothing shown until this month is over.
    client.post("/city-hospitals/pulse/", {"score": "5"})
    with scope(organisation=organisation):
        rollup_range(organisation, today, today)
        assert pulse_ward_summary(organisation, ward)["count"] == 11
    assert "from 11 check-ins" in client.get("/city-hospitals/pulse/thanks/").content.decode()


def test_you_said_we_did_lists_what_was_done(lena, bob, organisation, share, client_for, ward):
    idea = share(bob, title="Second trolley")
    share(bob, title="Still open")
    change(lena, organisation, idea, Status.IN_PROGRESS)
    change(lena, organisation, idea, Status.IMPLEMENTED, "A second trolley is in use.")
    client = client_for(bob)
    for path in (
        "/city-hospitals/you-said-we-did/",
        f"/city-hospitals/you-said-we-did/{ward.pk}/",
        f"/city-hospitals/you-said-we-did/{ward.pk}/poster/",
    ):
        content = client.get(path).content.decode()
        assert "Second trolley" in content, path
        assert "A second trolley is in use." in content, path
        assert "Still open" not in content, path
    chooser = client.get("/city-hospitals/you-said-we-did/", {"ward": ward.pk})
    assert chooser.url == f"/city-hospitals/you-said-we-did/{ward.pk}/"
    poster = client.get(f"/city-hospitals/you-said-we-did/{ward.pk}/poster/").content.decode()
    assert "poster.css" in poster


def test_org_admin_manages_categories(alice, organisation, client_for, categories):
    client = client_for(alice)
    response = client.post(
        "/city-hospitals/manage/categories/", {"name": "Infection control", "is_active": "on"}
    )
    assert response.status_code == 302
    duplicate = client.post("/city-hospitals/manage/categories/", {"name": "infection CONTROL"})
    assert duplicate.status_code == 400
    assert "There is already a category with this name." in duplicate.content.decode()
    category = categories["Other"]
    client.post(f"/city-hospitals/manage/categories/{category.pk}/", {"name": "Something else"})
    with scope(organisation=organisation):
        category.refresh_from_db()
    assert category.name == "Something else"
    assert category.is_active is False


def test_staff_cannot_manage_categories(bob, client_for):
    assert client_for(bob).get("/city-hospitals/manage/categories/").status_code == 403
