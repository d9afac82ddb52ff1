"""Teams and triage: who may do what, the inbox, status changes, bulk actions and merges."""

import re
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from audit.models import AuditEvent, Kind
from dashboards.digest import digest_context
from ideas.models import Idea, Notification, Status, Support
from organisations.models import Profession, Role
from teams.models import Team
from tests import factories
from tests.conftest import membership
from tests.teamwork import ORG, page, person
from triage import services as triage_services

INBOX = f"{ORG}/triage/"


def triage_url(idea):
    return f"{ORG}/triage/{idea.pk}/"


def status_url(idea):
    return f"{ORG}/triage/{idea.pk}/status/"


def fresh(idea):
    with scopes_disabled():
        return Idea.objects.get(pk=idea.pk)


def audit_rows(**filters):
    """The triage entries: refused pages are logged too (tests/audit), but are no triage."""
    with scopes_disabled():
        rows = AuditEvent.objects.exclude(kind=Kind.REFUSED)
        return list(rows.filter(**filters).order_by("id"))


def assign(idea, team):
    with scopes_disabled():
        Idea.objects.filter(pk=idea.pk).update(team=team)


def back_date(idea, days):
    with scopes_disabled():
        Idea.objects.filter(pk=idea.pk).update(created_at=timezone.now() - timedelta(days=days))


def support(organisation, user, idea):
    from ideas import services as idea_services

    with scope(organisation=organisation):
        idea_services.idea_support(member=membership(user, organisation), idea=idea)


# Who may do what ----------------------------------------------------------------------


def test_staff_can_read_teams_but_not_create_or_change_them(client_for, bob, team):
    client = client_for(bob)
    assert client.get(f"{ORG}/teams/").status_code == 200
    assert client.get(f"{ORG}/teams/{team.pk}/").status_code == 200
    assert client.get(f"{ORG}/teams/new/").status_code == 403
    assert client.get(f"{ORG}/teams/{team.pk}/edit/").status_code == 403
    response = client.post(f"{ORG}/teams/new/", {"name": "Bob's own team"})
    assert response.status_code == 403
    with scopes_disabled():
        assert list(Team.objects.values_list("name", flat=True)) == ["Patient Flow Team"]


def test_staff_who_are_on_no_team_cannot_triage(client_for, bob, lena, share):
    idea = share(lena)
    client = client_for(bob)
    assert client.get(INBOX).status_code == 403
    assert client.get(triage_url(idea)).status_code == 403
    assert client.post(status_url(idea), {"to_status": "under_review"}).status_code == 403
    bulk = client.post(f"{ORG}/triage/bulk/", {"ideas": [idea.pk], "action": "review"})
    assert bulk.status_code == 403
    assert fresh(idea).status == Status.SUBMITTED


def test_a_team_member_on_staff_sees_only_their_teams_ideas_in_the_inbox(
    client_for, tess, bob, share, team, other_team
):
    ours = share(bob, title="Discharge lounge opens at eight")
    theirs = share(bob, title="Hip protectors for night falls")
    nobodys = share(bob, title="Quieter bleeps")
    assign(ours, team)
    assign(theirs, other_team)
    response = client_for(tess).get(INBOX)
    assert response.status_code == 200
    text = page(response)
    assert "Discharge lounge opens at eight" in text
    assert "Hip protectors for night falls" not in text
    assert nobodys.title not in text
    assert "1 idea to triage." in text


@pytest.mark.parametrize("role_user", ["lena", "alice"])
def test_qi_leads_and_admins_manage_teams_and_see_every_idea_to_triage(
    request, client_for, role_user, bob, share, team, other_team
):
    client = client_for(request.getfixturevalue(role_user))
    assign(share(bob, title="Discharge lounge opens at eight"), team)
    share(bob, title="Quieter bleeps")
    assert client.get(f"{ORG}/teams/new/").status_code == 200
    assert client.get(f"{ORG}/teams/{team.pk}/edit/").status_code == 200
    response = client.get(INBOX)
    assert response.status_code == 200
    assert "2 ideas to triage." in page(response)


def test_a_qi_lead_without_two_factor_authentication_is_sent_to_set_it_up(
    client_for, organisation, ward
):
    lead = person(organisation, "nadia@city.nhs.uk", "Nadia NoMFA", role=Role.QI_LEAD, ward=ward)
    response = client_for(lead).get(INBOX)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


# Teams ------------------------------------------------------------------------------------


def test_the_team_page_groups_members_by_staff_group(client_for, bob, organisation, ward, team):
    people = [
        ("nurse.one@city.nhs.uk", "Nia Nurse", Profession.NURSING),
        ("nurse.two@city.nhs.uk", "Noah Nurse", Profession.NURSING),
        ("doctor@city.nhs.uk", "Dev Doctor", Profession.MEDICAL),
        ("physio@city.nhs.uk", "Pat Physio", Profession.AHP),
    ]
    with scopes_disabled():
        for email, name, profession in people:
            user = person(organisation, email, name, ward=ward, profession=profession)
            team.members.add(membership(user, organisation))
    text = page(client_for(bob).get(f"{ORG}/teams/{team.pk}/"))
    assert "3 staff groups in this team." in text
    assert "Medical and dental (1)" in text
    assert "Registered nursing and midwifery (2)" in text
    assert "Allied health professionals (1)" in text
    assert "Nia Nurse, Acute Medical Unit" in text
    # In the order of the staff groups, nurses listed by name.
    assert text.index("Medical and dental (1)") < text.index("Registered nursing and midwifery")
    assert text.index("Nia Nurse") < text.index("Noah Nurse")


def test_a_qi_lead_creates_a_team_with_members_and_wards(client_for, lena, bob, ward):
    response = client_for(lena).post(
        f"{ORG}/teams/new/",
        {
            "name": "  Discharge Team ",
            "purpose": "Get people home sooner.",
            "member_emails": "Bob@City.nhs.uk\nlena@city.nhs.uk",
            "wards": [ward.pk],
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        team = Team.objects.get()
        assert team.name == "Discharge Team"
        assert sorted(m.user.email for m in team.members.all()) == [
            "bob@city.nhs.uk",
            "lena@city.nhs.uk",
        ]
        assert list(team.wards.all()) == [ward]
    assert response["Location"] == f"{ORG}/teams/{team.pk}/"


def test_a_member_of_another_organisation_cannot_be_put_on_a_team(client_for, lena, bob, charlie):
    response = client_for(lena).post(
        f"{ORG}/teams/new/",
        {"name": "Discharge Team", "member_emails": "bob@city.nhs.uk\ncharlie@hill.nhs.uk"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["member_emails"] == [
        "These are not staff of this organisation on ImproveWell: charlie@hill.nhs.uk"
    ]
    assert "charlie@hill.nhs.uk" in page(response)
    with scopes_disabled():
        assert not Team.objects.exists()


def test_a_team_name_already_taken_is_a_field_error(client_for, lena, team):
    response = client_for(lena).post(f"{ORG}/teams/new/", {"name": "patient flow team"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["There is already a team with this name."]
    with scopes_disabled():
        assert Team.objects.count() == 1


def test_changing_a_team_keeps_its_own_name_allowed(client_for, lena, bob, team):
    response = client_for(lena).post(
        f"{ORG}/teams/{team.pk}/edit/",
        {"name": "Patient Flow Team", "purpose": "Flow", "member_emails": "bob@city.nhs.uk"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        team.refresh_from_db()
        assert team.purpose == "Flow"
        assert [m.user.email for m in team.members.all()] == ["bob@city.nhs.uk"]


def test_the_team_list_counts_members_and_open_ideas(
    client_for, bob, tess, share, team, other_team
):
    for title, status in [("Open one", None), ("Open two", None), ("Done", "implemented")]:
        idea = share(bob, title=title)
        assign(idea, team)
        if status:
            with scopes_disabled():
                Idea.objects.filter(pk=idea.pk).update(status=status)
    text = page(client_for(bob).get(f"{ORG}/teams/"))
    assert "1 member · 2 open ideas" in text
    assert "0 members · 0 open ideas" in text
    assert "Create a team" not in text


# The inbox ------------------------------------------------------------------------------


def test_the_inbox_lists_unreviewed_ideas_first_then_the_longest_waiting(
    client_for, lena, bob, share, as_member
):
    ideas = {}
    for title, days in [
        ("Submitted three days ago", 3),
        ("Under review for ten days", 10),
        ("Submitted yesterday", 1),
        ("Submitted five days ago", 5),
        ("Under review for two days", 2),
    ]:
        ideas[title] = share(bob, title=title)
        back_date(ideas[title], days)
    for title in ("Under review for ten days", "Under review for two days"):
        as_member(
            lena,
            triage_services.idea_triage_status,
            idea=ideas[title],
            to_status=Status.UNDER_REVIEW,
        )
    implemented = share(bob, title="Closed long ago")
    with scopes_disabled():
        Idea.objects.filter(pk=implemented.pk).update(status=Status.IMPLEMENTED)
    text = page(client_for(lena).get(INBOX))
    order = sorted(ideas, key=text.index)
    assert order == [
        "Submitted five days ago",
        "Submitted three days ago",
        "Submitted yesterday",
        "Under review for ten days",
        "Under review for two days",
    ]
    assert "Closed long ago" not in text  # the inbox shows open ideas unless asked


def test_ideas_past_the_response_target_are_tagged(
    client_for, lena, bob, organisation, share, as_member
):
    with scopes_disabled():
        organisation.response_target_days = 5
        organisation.save()
    late = share(bob, title="Waiting six days")
    answered = share(bob, title="Waiting six days but answered")
    recent = share(bob, title="Waiting four days")
    back_date(late, 6)
    back_date(answered, 6)
    back_date(recent, 4)
    as_member(
        lena, triage_services.idea_triage_status, idea=answered, to_status=Status.UNDER_REVIEW
    )
    response = client_for(lena).get(INBOX)
    text = page(response)
    assert "The response target here is 5 days." in text
    assert text.count("Past response target") == 1
    item = text[text.index(f'id="triage-{late.pk}"') :]
    assert item.index("Past response target") < item.index("Waiting four days")

    overdue = page(client_for(lena).get(INBOX, {"overdue": "on"}))
    assert "Waiting six days" in overdue
    assert "Waiting six days but answered" not in overdue
    assert "Waiting four days" not in overdue
    assert "1 idea to triage." in overdue


def test_the_inbox_row_and_the_digest_agree_on_which_ideas_are_late(
    client_for, lena, bob, organisation, share
):
    """One rule (ideas.selectors.past_response_target) for the tag, the filter and the digest."""
    with scopes_disabled():
        organisation.response_target_days = 5
        organisation.save()
    late = share(bob, title="Waiting six days")
    back_date(late, 6)
    # A refused change re-renders the row on its own: it keeps the tag.
    response = client_for(lena).post(
        status_url(late), {"to_status": "implemented"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps only successful answers
    assert "cannot move to" in page(response)
    assert "Past response target" in page(response)
    with scopes_disabled():
        week_ending_today = timezone.localdate() - timedelta(days=6)
        context = digest_context(membership(lena, organisation), week_ending_today)
    assert [idea.title for idea in context["overdue"]] == ["Waiting six days"]
    # Answered, it is late no more: the row re-rendered by htmx loses the tag.
    response = client_for(lena).post(
        status_url(late), {"to_status": "under_review"}, HTTP_HX_REQUEST="true"
    )
    assert "Past response target" not in page(response)


def test_each_inbox_row_has_its_own_status_controls(client_for, lena, bob, share):
    """The rows share one rendered form; each must still label its own fields."""
    ideas = [share(bob, title="Quiet room"), share(bob, title="Brighter corridor")]
    text = page(client_for(lena).get(INBOX))
    for idea in ideas:
        field = f"id_idea-{idea.pk}_to_status"
        assert text.count(f'id="{field}"') == 1
        assert text.count(f'for="{field}"') == 1
        message = f"id_idea-{idea.pk}_message"
        assert text.count(f'aria-describedby="{message}-hint {message}-info"') == 1
    assert "__idea__" not in text


def test_the_inbox_filters_by_team_and_status(
    client_for, lena, bob, share, team, other_team, as_member
):
    flow = share(bob, title="Discharge lounge opens at eight")
    falls = share(bob, title="Hip protectors for night falls")
    share(bob, title="Quieter bleeps")
    assign(flow, team)
    assign(falls, other_team)
    as_member(lena, triage_services.idea_triage_status, idea=falls, to_status=Status.UNDER_REVIEW)
    client = client_for(lena)

    by_team = page(client.get(INBOX, {"team": team.pk}))
    assert "Discharge lounge opens at eight" in by_team
    assert "Hip protectors" not in by_team
    assert "Quieter bleeps" not in by_team

    by_status = page(client.get(INBOX, {"status": "under_review"}))
    assert "Hip protectors for night falls" in by_status
    assert "Discharge lounge" not in by_status
    assert "Quieter bleeps" not in by_status

    nothing = page(client.get(INBOX, {"status": "implemented"}))
    assert "Nothing to triage" in nothing


def test_the_inbox_filters_by_site_including_ideas_that_name_only_the_site(
    client_for, lena, bob, organisation, ward, share
):
    with scopes_disabled():
        riverside = factories.SiteFactory(organisation=organisation, name="Riverside")
        factories.WardFactory(organisation=organisation, site=riverside, name="Oak Ward")
    lift = share(bob, title="Lift out of order", anonymous=True, ward=None, site=riverside)
    share(bob, title="Quieter bleeps")
    client = client_for(lena)
    by_site = page(client.get(INBOX, {"site": riverside.pk}))
    assert "Lift out of order" in by_site
    assert "· Riverside" in by_site
    assert "Quieter bleeps" not in by_site
    assert "· Riverside</p>" in page(client.get(f"{ORG}/triage/{lift.pk}/"))


def test_a_bad_inbox_filter_is_shown_and_leaves_the_open_ideas_unfiltered(
    client_for, lena, bob, share, team, other_organisation
):
    share(bob, title="Quieter bleeps", kind="idea")
    share(bob, title="Broken hoist", kind="concern")
    closed = share(bob, title="Closed long ago")
    with scopes_disabled():
        Idea.objects.filter(pk=closed.pk).update(status=Status.IMPLEMENTED)
        foreign_team = factories.TeamFactory(organisation=other_organisation, name="Hill Team")
    client = client_for(lena)
    assert "Hill Team" not in page(client.get(INBOX))
    for params in (
        {"status": "bogus", "kind": "concern"},
        {"team": foreign_team.pk, "kind": "concern"},
        {"overdue": "on", "ward": "x"},
    ):
        response = client.get(INBOX, params)
        assert response.status_code == 200
        text = page(response)
        assert "nhsuk-error-message" in text
        assert "Quieter bleeps" in text and "Broken hoist" in text
        assert "Closed long ago" not in text


def test_the_inbox_filter_form_keeps_its_parameters_and_wording(client_for, lena, team):
    text = page(client_for(lena).get(INBOX))
    form = text[text.index('aria-label="Filter ideas to triage"') : text.index("Apply filters")]
    names = re.findall(r'<(?:input|select)[^>]* name="(\w+)"', form)
    assert names == ["status", "site", "ward", "category", "kind", "team", "overdue"]
    for wording in (
        '<option value="" selected>Open (not yet implemented or closed)</option>',
        '<option value="" selected>Any team</option>',
        f'<option value="{team.pk}">Patient Flow Team</option>',
        'type="checkbox" name="overdue"',
        "Waiting longer than the response target</label>",
    ):
        assert wording in form


def test_the_inbox_runs_a_fixed_number_of_queries(
    client_for, lena, organisation, team, other_team, share, bob, django_assert_max_num_queries
):
    client = client_for(lena)
    assign(share(bob, title="First idea"), team)
    share(bob, title="Second idea")
    filtered = {"page": "2", "team": team.pk}
    with django_assert_max_num_queries(40) as few:
        assert client.get(INBOX).status_code == 200
    with django_assert_max_num_queries(40) as few_filtered:
        assert client.get(INBOX, filtered).status_code == 200
    with scopes_disabled():
        for n in range(30):
            # Every factory idea has its own ward, site, category and author.
            factories.IdeaFactory(
                organisation=organisation,
                title=f"Idea {n}",
                team=[team, other_team, None][n % 3],
                status=[Status.SUBMITTED, Status.UNDER_REVIEW, Status.IN_PROGRESS][n % 3],
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INBOX)
    assert "32 ideas to triage." in page(response)
    with django_assert_max_num_queries(len(few_filtered.captured_queries)):
        response = client.get(INBOX, filtered)
    assert "11 ideas to triage." in page(response)


# Status changes ---------------------------------------------------------------------------


def test_an_inline_status_change_saves_and_returns_the_item(client_for, lena, bob, share):
    idea = share(bob)
    response = client_for(lena).post(
        status_url(idea),
        {"to_status": "under_review", "message": "We are looking at it."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    text = page(response)
    assert text.lstrip().startswith(f'<li class="iw-idea" id="triage-{idea.pk}">')
    assert "<html" not in text
    assert "Saved." in text
    assert "Under review" in text
    assert fresh(idea).status == Status.UNDER_REVIEW


def test_a_status_change_the_workflow_does_not_allow_is_refused_in_the_item(
    client_for, lena, bob, share
):
    idea = share(bob)
    response = client_for(lena).post(
        status_url(idea), {"to_status": "implemented"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps only successful answers
    text = page(response)
    assert "An idea that is “Submitted” cannot move to “Implemented”." in text
    assert "Saved." not in text
    assert fresh(idea).status == Status.SUBMITTED
    assert audit_rows() == []
    with scopes_disabled():
        assert not Notification.objects.exists()


def test_not_taking_an_idea_forward_needs_an_explanation(client_for, lena, bob, share):
    idea = share(bob)
    response = client_for(lena).post(
        status_url(idea),
        {"to_status": "not_taken_forward", "message": "  "},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Explain why the idea is not being taken forward." in page(response)
    assert fresh(idea).status == Status.SUBMITTED


def test_a_status_change_without_htmx_returns_to_the_page_it_came_from(
    client_for, lena, bob, share
):
    idea = share(bob, title="Quieter bleeps")
    client = client_for(lena)
    response = client.post(
        status_url(idea), {"to_status": "in_progress", "next": triage_url(idea)}, follow=True
    )
    assert response.redirect_chain == [(triage_url(idea), 302)]
    assert "“Quieter bleeps” is now in progress." in page(response)


def test_a_status_change_tells_the_submitter_and_goes_in_the_audit_trail(
    client_for, lena, bob, share, django_capture_on_commit_callbacks
):
    idea = share(bob, title="Quieter bleeps")
    client = client_for(lena)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(status_url(idea), {"to_status": "under_review", "message": "On the agenda."})
    with scopes_disabled():
        (notification,) = Notification.objects.all()
    assert notification.recipient == bob
    assert notification.text == "“Quieter bleeps” is now under review"
    assert [m.to for m in mail.outbox] == [["bob@city.nhs.uk"]]
    assert "Quieter bleeps" in mail.outbox[0].subject

    (event,) = audit_rows(idea=idea.pk)
    assert (event.actor, event.action) == (lena, "changed status")
    assert (event.before, event.after) == ({"status": "submitted"}, {"status": "under_review"})
    text = page(client.get(triage_url(idea)))
    trail = text[text.index("Audit trail") :]
    assert "Lena Lead" in trail
    assert "changed status" in trail
    assert "status: submitted" in trail
    assert "status: under_review" in trail


def test_an_anonymous_submitter_is_told_without_being_named(
    client_for, lena, bob, share, django_capture_on_commit_callbacks
):
    idea = share(bob, anonymous=True, title="Bullying on nights")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(lena).post(status_url(idea), {"to_status": "under_review"})
    with scopes_disabled():
        (notification,) = Notification.objects.all()
    assert notification.recipient is None
    assert notification.recipient_token == idea.submitter_token
    # Not emailed at the moment the lead acted: the daily email tells bob.
    assert mail.outbox == []


def test_a_team_member_on_staff_triages_only_their_teams_ideas(
    client_for, tess, bob, share, team, other_team
):
    ours = share(bob, title="Discharge lounge opens at eight")
    theirs = share(bob, title="Hip protectors for night falls")
    nobodys = share(bob, title="Quieter bleeps")
    assign(ours, team)
    assign(theirs, other_team)
    client = client_for(tess)
    assert client.get(triage_url(ours)).status_code == 200
    response = client.post(status_url(ours), {"to_status": "under_review"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert fresh(ours).status == Status.UNDER_REVIEW
    for idea in (theirs, nobodys):
        assert client.get(triage_url(idea)).status_code == 403
        refused = client.post(status_url(idea), {"to_status": "not_taken_forward", "message": "No"})
        assert refused.status_code == 403
        assert fresh(idea).status == Status.SUBMITTED
    assert len(audit_rows()) == 1


def test_a_team_member_on_staff_cannot_bulk_change_another_teams_ideas(
    client_for, tess, bob, share, team, other_team
):
    theirs = share(bob, title="Hip protectors for night falls")
    assign(theirs, other_team)
    client_for(tess).post(
        f"{ORG}/triage/bulk/", {"ideas": [theirs.pk], "action": "assign", "team": team.pk}
    )
    client_for(tess).post(f"{ORG}/triage/bulk/", {"ideas": [theirs.pk], "action": "review"})
    assert fresh(theirs).team_id == other_team.pk
    assert fresh(theirs).status == Status.SUBMITTED
    assert audit_rows() == []


# Bulk triage ------------------------------------------------------------------------------


def test_bulk_assign_puts_every_selected_idea_on_the_team(client_for, lena, bob, share, team):
    chosen = [share(bob, title=f"Chosen {n}") for n in range(3)]
    left = share(bob, title="Left alone")
    response = client_for(lena).post(
        f"{ORG}/triage/bulk/",
        {"ideas": [i.pk for i in chosen], "action": "assign", "team": team.pk},
        follow=True,
    )
    assert response.redirect_chain == [(INBOX, 302)]
    assert "Updated 3 ideas." in page(response)
    assert all(fresh(i).team_id == team.pk for i in chosen)
    assert fresh(left).team_id is None
    events = audit_rows(action="assigned to team")
    assert sorted(str(e.idea_id) for e in events) == sorted(str(i.pk) for i in chosen)
    assert all(e.after == {"team": "Patient Flow Team"} for e in events)
    assert all(e.before == {"team": None} for e in events)


def test_bulk_review_moves_every_selected_idea_to_under_review(
    client_for, lena, bob, share, django_capture_on_commit_callbacks
):
    chosen = [share(bob, title=f"Chosen {n}") for n in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lena).post(
            f"{ORG}/triage/bulk/",
            {"ideas": [i.pk for i in chosen], "action": "review", "query": "status=submitted"},
        )
    assert response.status_code == 302
    assert response["Location"] == f"{INBOX}?status=submitted"
    assert [fresh(i).status for i in chosen] == [Status.UNDER_REVIEW] * 3
    assert len(audit_rows(action="changed status")) == 3
    assert len(mail.outbox) == 3


def test_bulk_assign_needs_a_team(client_for, lena, bob, share):
    idea = share(bob)
    response = client_for(lena).post(
        f"{ORG}/triage/bulk/", {"ideas": [idea.pk], "action": "assign"}, follow=True
    )
    assert "Choose the team to assign the ideas to." in page(response)
    assert fresh(idea).team_id is None
    assert audit_rows() == []


def test_bulk_with_no_idea_selected_changes_nothing(client_for, lena, bob, share, team):
    idea = share(bob)
    response = client_for(lena).post(
        f"{ORG}/triage/bulk/", {"action": "assign", "team": team.pk}, follow=True
    )
    assert response.status_code == 200
    assert "Select at least one idea." in page(response)
    assert fresh(idea).team_id is None
    assert audit_rows() == []


# Merging duplicates -------------------------------------------------------------------------


@pytest.fixture
def pair(organisation, ward, bob, share):
    """An original idea by Olive and a later duplicate of it by Bob."""
    olive = person(organisation, "olive@city.nhs.uk", "Olive Original", ward=ward)
    original = share(olive, title="Second drug trolley for nights")
    duplicate = share(bob, title="Another drugs trolley please")
    return original, duplicate


def merge(client, idea, into, message=""):
    return client.post(triage_url(idea), {"action": "merge", "into": str(into), "message": message})


def state():
    """What a refused merge must leave unchanged."""
    with scopes_disabled():
        return (
            [(i.status, i.merged_into_id, i.support_count) for i in Idea.objects.order_by("pk")],
            sorted(Support.objects.values_list("idea_id", "user_id")),
            Notification.objects.count(),
            AuditEvent.objects.count(),
        )


def test_an_idea_cannot_be_merged_into_itself(client_for, lena, pair):
    _, duplicate = pair
    before = state()
    response = merge(client_for(lena), duplicate, duplicate.pk)
    assert response.status_code == 400
    assert "An idea cannot be merged into itself." in page(response)
    assert state() == before


def test_an_idea_cannot_be_merged_into_another_organisations_idea(
    client_for, lena, pair, other_organisation, charlie
):
    _, duplicate = pair
    with scopes_disabled():
        elsewhere = factories.IdeaFactory(organisation=other_organisation, author=charlie)
    before = state()
    response = merge(client_for(lena), duplicate, elsewhere.pk)
    assert response.status_code == 400
    assert "Choose an idea of this organisation to merge into." in page(response)
    assert elsewhere.title not in page(response)
    assert state() == before


def test_an_idea_cannot_be_merged_into_a_duplicate(client_for, lena, bob, pair, share):
    original, duplicate = pair
    third = share(bob, title="Night trolley again")
    client = client_for(lena)
    assert merge(client, duplicate, original.pk).status_code == 302
    before = state()
    response = merge(client, third, duplicate.pk)
    assert response.status_code == 400
    assert "That idea is itself a duplicate: merge into its original." in page(response)
    assert state() == before


def test_an_idea_already_merged_cannot_be_merged_again(client_for, lena, bob, pair, share):
    original, duplicate = pair
    third = share(bob, title="Night trolley again")
    client = client_for(lena)
    assert merge(client, duplicate, original.pk).status_code == 302
    before = state()
    response = merge(client, duplicate, third.pk)
    assert response.status_code == 400
    assert "This idea has already been merged." in page(response)
    assert state() == before
    assert fresh(duplicate).merged_into_id == original.pk


def test_a_reference_that_is_not_an_idea_reference_is_a_field_error(client_for, lena, pair):
    _, duplicate = pair
    before = state()
    response = merge(client_for(lena), duplicate, "not-a-uuid")
    assert response.status_code == 400
    assert response.context["merge"].errors["into"] == ["Choose the original idea from the list."]
    assert merge(client_for(lena), duplicate, uuid.uuid4()).status_code == 400
    assert state() == before


def test_merging_moves_supporters_once_and_tells_the_submitter_where_to_follow(
    client_for, lena, alice, bob, organisation, ward, pair, django_capture_on_commit_callbacks
):
    original, duplicate = pair
    both = person(organisation, "both@city.nhs.uk", "Bea Both", ward=ward)
    only_duplicate = person(organisation, "dup@city.nhs.uk", "Dan Dup", ward=ward)
    support(organisation, both, original)
    support(organisation, alice, original)
    support(organisation, both, duplicate)
    support(organisation, only_duplicate, duplicate)
    assert fresh(original).support_count == 2
    client = client_for(lena)
    with django_capture_on_commit_callbacks(execute=True):
        response = merge(client, duplicate, original.pk)
    assert response.status_code == 302

    merged, target = fresh(duplicate), fresh(original)
    assert merged.status == Status.DUPLICATE
    assert merged.merged_into_id == original.pk
    with scopes_disabled():
        supporters = sorted(
            Support.objects.filter(idea=original).values_list("user__email", flat=True)
        )
        assert not Support.objects.filter(idea=duplicate).exists()
        (notification,) = Notification.objects.filter(idea=duplicate)
    assert supporters == ["alice@city.nhs.uk", "both@city.nhs.uk", "dup@city.nhs.uk"]
    assert target.support_count == 3
    assert notification.recipient == bob
    assert "follow it there" in notification.text
    assert [m.to for m in mail.outbox] == [["bob@city.nhs.uk"]]
    (event,) = audit_rows(action="merged as duplicate")
    assert event.after == {"status": "duplicate", "merged_into": original.title}

    idea_page = page(client_for(bob).get(f"{ORG}/ideas/{duplicate.pk}/"))
    link = f'<a href="{ORG}/ideas/{original.pk}/">Second drug trolley for nights</a>'
    assert f"This is the same as {link}. Follow it there." in idea_page
    # The timeline carries the note too.
    assert "This is the same as “Second drug trolley for nights”. Follow it there." in idea_page


def test_the_original_authors_support_of_the_duplicate_is_not_moved(
    client_for, lena, organisation, pair
):
    original, duplicate = pair
    with scopes_disabled():
        olive = original.author
    support(organisation, olive, duplicate)
    merge(client_for(lena), duplicate, original.pk)
    with scopes_disabled():
        assert not Support.objects.filter(idea=original).exists()
    assert fresh(original).support_count == 0


def test_a_merged_duplicate_no_longer_counts_supports(client_for, lena, alice, organisation, pair):
    original, duplicate = pair
    support(organisation, alice, duplicate)
    merge(client_for(lena), duplicate, original.pk)
    assert fresh(original).support_count == 1
    assert fresh(duplicate).support_count == 0


def test_an_implemented_idea_cannot_be_merged_as_a_duplicate(client_for, lena, pair):
    original, duplicate = pair
    with scopes_disabled():
        Idea.objects.filter(pk=duplicate.pk).update(status=Status.IMPLEMENTED)
    before = state()
    response = merge(client_for(lena), duplicate, original.pk)
    assert response.status_code == 400
    assert "An idea that is “Implemented” cannot be merged." in page(response)
    assert state() == before
