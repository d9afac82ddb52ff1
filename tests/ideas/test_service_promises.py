"""The ideas services keep the promises themselves, whatever view or task calls them.

Each test here kills a change to ideas/services.py or ideas/anonymity.py that survived
the rest of the suite under mutation testing (docs/testing.md): the checks are on
what a person would notice (which idea comes back, whether an email goes out, what
their notifications say), so they hold whichever way the rows are stored.
"""

import uuid

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from ideas import selectors, services
from ideas.models import Category, Comment, Idea, IdeaEvent, Status
from organisations import services as organisation_services
from tests.conftest import membership
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def other_category(other_organisation):
    with scope(organisation=other_organisation):
        return Category.objects.filter(organisation=other_organisation).first()


def _submit(member, categories, ward, *, submission_id, **fields):
    """Share an idea through the service; `fields` overrides the title, category, ward or
    anonymity."""
    defaults = {
        "title": "Night-time pharmacy cover",
        "category": categories["Efficiency and waste"],
        "ward": ward,
        "anonymous": False,
    }
    with scope(organisation=member.organisation):
        return services.idea_submit(
            member=member,
            submission_id=submission_id,
            kind="idea",
            description="Nobody answers after 2am.",
            **{**defaults, **fields},
        )


def test_a_reused_submission_id_never_hands_back_someone_elses_anonymous_idea(
    organisation, dana, bob, categories, ward
):
    submission_id = uuid.uuid4()
    dana_idea, _ = _submit(
        membership(dana, organisation),
        categories,
        ward,
        submission_id=submission_id,
        title="Bullying on night shifts",
        anonymous=True,
    )
    # Bob's form happens to carry the same id (a replayed or guessed request).
    bob_idea, created = _submit(
        membership(bob, organisation),
        categories,
        ward,
        submission_id=submission_id,
        title="Night-time pharmacy cover",
    )
    assert created
    assert bob_idea.pk != dana_idea.pk
    assert bob_idea.title == "Night-time pharmacy cover"
    with scope(organisation=organisation):
        assert Idea.objects.get(pk=dana_idea.pk).title == "Bullying on night shifts"
        assert Idea.objects.filter(organisation=organisation).count() == 2


def test_the_submitter_resending_the_form_gets_their_own_anonymous_idea_back(
    organisation, dana, categories, ward
):
    member = membership(dana, organisation)
    submission_id = uuid.uuid4()
    first, _ = _submit(member, categories, ward, submission_id=submission_id, anonymous=True)
    again, created = _submit(member, categories, ward, submission_id=submission_id, anonymous=True)
    assert not created
    assert again.pk == first.pk


def test_an_idea_cannot_be_filed_on_another_organisations_ward(
    organisation, bob, categories, ward, other_ward
):
    with pytest.raises(ValidationError) as error:
        _submit(membership(bob, organisation), categories, other_ward, submission_id=uuid.uuid4())
    assert "ward" in error.value.message_dict
    with scopes_disabled():
        assert not Idea.objects.exists()


def test_an_idea_cannot_be_filed_on_another_organisations_site(
    organisation, bob, categories, other_ward
):
    with scopes_disabled():
        other_site = other_ward.site
    with pytest.raises(ValidationError) as error:
        _submit(
            membership(bob, organisation),
            categories,
            None,
            submission_id=uuid.uuid4(),
            site=other_site,
        )
    assert "site" in error.value.message_dict
    with scopes_disabled():
        assert not Idea.objects.exists()


def test_an_idea_names_a_ward_or_a_site_never_both(organisation, bob, categories, ward):
    with scopes_disabled():
        site = ward.site
    with pytest.raises(ValidationError) as error:
        _submit(
            membership(bob, organisation),
            categories,
            ward,
            submission_id=uuid.uuid4(),
            site=site,
        )
    assert "site" in error.value.message_dict
    idea, _ = _submit(
        membership(bob, organisation), categories, None, submission_id=uuid.uuid4(), site=site
    )
    assert (idea.ward, idea.site) == (None, site)


def test_an_idea_cannot_be_filed_under_another_organisations_category(
    organisation, bob, categories, ward, other_category
):
    with pytest.raises(ValidationError) as error:
        _submit(
            membership(bob, organisation),
            categories,
            ward,
            submission_id=uuid.uuid4(),
            category=other_category,
        )
    assert "category" in error.value.message_dict
    with scopes_disabled():
        assert not Idea.objects.exists()


def test_nobody_can_comment_on_another_organisations_idea(
    organisation, other_organisation, bob, charlie, other_ward, other_category
):
    with scope(organisation=other_organisation):
        hill_idea, _ = services.idea_submit(
            member=membership(charlie, other_organisation),
            submission_id=uuid.uuid4(),
            kind="idea",
            title="Hill's own idea",
            description="Only Hill may discuss it.",
            category=other_category,
            ward=other_ward,
            anonymous=False,
        )
    with scope(organisation=organisation), pytest.raises(ValidationError):
        services.comment_add(
            member=membership(bob, organisation), idea=hill_idea, body="Hello from City"
        )
    with scopes_disabled():
        assert not Comment.objects.exists()
        assert Idea.objects.get(pk=hill_idea.pk).comment_count == 0


def test_a_leaver_is_no_longer_emailed_about_their_anonymous_idea(
    organisation, dana, lena, alice, share, django_capture_on_commit_callbacks
):
    idea = share(dana, anonymous=True, title="Bullying on night shifts")
    lead = membership(lena, organisation)
    with scope(organisation=organisation), django_capture_on_commit_callbacks(execute=True):
        services.idea_change_status(member=lead, idea=idea, to_status=Status.UNDER_REVIEW)
        services.anonymous_updates_send(organisation=organisation)
    assert [m.to for m in mail.outbox] == [["dana.whistle@city.nhs.uk"]]

    with scope(organisation=organisation):
        organisation_services.membership_set_active(
            membership=membership(dana, organisation), is_active=False, by=alice
        )
    with scope(organisation=organisation), django_capture_on_commit_callbacks(execute=True):
        services.idea_change_status(member=lead, idea=idea, to_status=Status.IN_PROGRESS)
        services.anonymous_updates_send(organisation=organisation)
    # Dana's account is still active (she may belong elsewhere), but she left this trust.
    assert len(mail.outbox) == 1


def test_others_comments_notify_the_submitter_and_their_own_do_not(
    organisation, dana, bob, share, client_for
):
    idea = share(dana, anonymous=True, title="Bullying on night shifts")
    dana_member = membership(dana, organisation)
    with scope(organisation=organisation):
        services.comment_add(member=dana_member, idea=idea, body="It happened again.")
        assert selectors.unread_notification_count(dana_member) == 0
        services.comment_add(member=membership(bob, organisation), idea=idea, body="Same here.")
        assert selectors.unread_notification_count(dana_member) == 1
    bob_member = membership(bob, organisation)
    with scope(organisation=organisation):
        assert selectors.unread_notification_count(bob_member) == 0
    page = client_for(dana).get("/city-hospitals/notifications/").content.decode()
    assert page.count("New comment on “Bullying on night shifts”") == 1


def test_opening_one_idea_leaves_the_other_ideas_notifications_unread(
    organisation, dana, lena, share, client_for
):
    first = share(dana, anonymous=True, title="Bullying on night shifts")
    second = share(dana, title="Second drug trolley for nights")
    lead = membership(lena, organisation)
    dana_member = membership(dana, organisation)
    with scope(organisation=organisation):
        for idea in (first, second):
            services.idea_change_status(member=lead, idea=idea, to_status=Status.UNDER_REVIEW)
        assert selectors.unread_notification_count(dana_member) == 2

    client = client_for(dana)
    assert client.get(f"/city-hospitals/ideas/{first.pk}/").status_code == 200
    with scope(organisation=organisation):
        assert selectors.unread_notification_count(dana_member) == 1
        unread = {idea.pk: idea.unread for idea in selectors.ideas_of_member(dana_member)}
    assert unread[first.pk] is None
    assert unread[second.pk] == 1
    mine = client.get("/city-hospitals/my-ideas/").content.decode()
    assert mine.count("1 new update") == 1


def test_the_email_finds_an_anonymous_submitter_whose_user_and_membership_ids_differ(
    organisation, lena, ward, share, django_capture_on_commit_callbacks
):
    """A token is derived from the user's id: the email task must look people up by
    user, not by membership (the fixtures otherwise make both ids alike)."""
    with scopes_disabled():
        UserFactory.create_batch(3)  # users of no organisation move the ids apart
        erin = MembershipFactory(
            organisation=organisation, user__email="erin@city.nhs.uk", home_ward=ward
        )
        assert erin.pk != erin.user_id
    idea = share(erin.user, anonymous=True)
    with scope(organisation=organisation), django_capture_on_commit_callbacks(execute=True):
        services.idea_change_status(
            member=membership(lena, organisation), idea=idea, to_status=Status.UNDER_REVIEW
        )
        services.anonymous_updates_send(organisation=organisation)
    assert [m.to for m in mail.outbox] == [["erin@city.nhs.uk"]]


def test_a_status_change_records_who_moved_the_idea_and_from_what(organisation, bob, lena, share):
    """The timeline is the audit trail: found missing by mutation testing."""
    idea = share(bob)
    with scope(organisation=organisation):
        services.idea_change_status(
            member=membership(lena, organisation), idea=idea, to_status=Status.UNDER_REVIEW
        )
        changes = [e for e in selectors.idea_timeline(idea) if e.type == IdeaEvent.Type.STATUS]
        assert [(e.actor, e.from_status, e.to_status) for e in changes] == [
            (lena, Status.SUBMITTED, Status.UNDER_REVIEW)
        ]
        assert Idea.objects.get(pk=idea.pk).status_changed_at is not None
