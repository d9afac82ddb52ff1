"""The inbox a lead clears in one sitting: refusals shown in place, only the workflow's
moves offered, the facts of each idea, and a next-idea path through the queue."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from ideas import services as idea_services
from ideas.models import Comment, Idea, Status
from tests import factories
from tests.teamwork import ORG, page, person
from triage import services as triage_services

INBOX = f"{ORG}/triage/"


def triage_url(idea):
    return f"{ORG}/triage/{idea.pk}/"


def status_url(idea):
    return f"{ORG}/triage/{idea.pk}/status/"


def status_of(idea):
    with scopes_disabled():
        return Idea.objects.get(pk=idea.pk).status


def set_status(idea, status):
    with scopes_disabled():
        Idea.objects.filter(pk=idea.pk).update(status=status)


def back_date(idea, days, *, replied_days=None):
    now = timezone.now()
    fields = {"created_at": now - timedelta(days=days)}
    if replied_days is not None:
        fields["status_changed_at"] = now - timedelta(days=replied_days)
    with scopes_disabled():
        Idea.objects.filter(pk=idea.pk).update(**fields)


def item_of(text, idea):
    start = text.index(f'id="triage-{idea.pk}"')
    return text[start : text.index("</li>", start)]


def offered(html, idea):
    """The statuses the item's (or page's) status select offers."""
    select = re.search(
        rf'<select name="to_status"[^>]*id="id_idea-{idea.pk}_to_status".*?</select>', html, re.S
    )
    return re.findall(r'<option value="([a-z_]+)"', select.group(0)) if select else []


# A refused change is shown where the lead acted -------------------------------------------


def test_a_refused_move_is_shown_beside_the_field_in_the_item_for_htmx(
    client_for, lena, bob, share
):
    idea = share(bob, title="Quieter bleeps")
    response = client_for(lena).post(
        status_url(idea), {"to_status": "implemented"}, HTTP_HX_REQUEST="true"
    )
    # htmx swaps only a successful answer: a 400 would leave the lead looking at nothing.
    assert response.status_code == 200
    text = page(response)
    assert text.lstrip().startswith(f'<li class="iw-idea" id="triage-{idea.pk}">')
    assert 'role="alert"' in text
    assert "The status of “Quieter bleeps” was not changed" in text
    field_error = f'id="id_idea-{idea.pk}_to_status-error"'
    assert field_error in text
    assert "An idea that is “Submitted” cannot move to “Implemented”." in text
    assert f'href="#id_idea-{idea.pk}_to_status"' in text
    assert '<details class="nhsuk-details" open>' in text
    assert "Saved." not in text
    assert status_of(idea) == Status.SUBMITTED


def test_not_taking_forward_without_a_reason_is_an_error_on_the_message(
    client_for, lena, bob, share
):
    idea = share(bob)
    response = client_for(lena).post(
        status_url(idea), {"to_status": "not_taken_forward", "message": " "}, HTTP_HX_REQUEST="true"
    )
    text = page(response)
    assert f'id="id_idea-{idea.pk}_message-error"' in text
    assert "Explain why the idea is not being taken forward." in text
    # What the lead chose is kept.
    assert '<option value="not_taken_forward" selected>' in text
    assert status_of(idea) == Status.SUBMITTED


def test_without_javascript_a_refused_move_shows_the_triage_page_with_an_error_summary(
    client_for, lena, bob, share
):
    idea = share(bob, title="Quieter bleeps")
    response = client_for(lena).post(
        status_url(idea), {"to_status": "not_taken_forward", "next": triage_url(idea)}
    )
    assert response.status_code == 400
    text = page(response)
    assert "<title>Error: Triage: Quieter bleeps" in text
    assert "There is a problem" in text
    assert f'<a href="#id_idea-{idea.pk}_message">Explain why' in text
    assert status_of(idea) == Status.SUBMITTED


def test_a_move_made_stale_by_someone_else_is_refused_in_the_workflows_words(
    client_for, lena, bob, share
):
    idea = share(bob)
    set_status(idea, Status.IMPLEMENTED)  # moved on in another tab
    response = client_for(lena).post(
        status_url(idea), {"to_status": "under_review"}, HTTP_HX_REQUEST="true"
    )
    assert "An idea that is “Implemented” cannot move to “Under review”." in page(response)


# Only the workflow's moves are offered ------------------------------------------------------


def test_each_item_offers_only_the_moves_the_workflow_allows_from_its_status(
    client_for, lena, bob, share
):
    submitted = share(bob, title="New one")
    reviewing = share(bob, title="Being looked at")
    doing = share(bob, title="Under way")
    set_status(reviewing, Status.UNDER_REVIEW)
    set_status(doing, Status.IN_PROGRESS)
    text = page(client_for(lena).get(INBOX))
    assert offered(text, submitted) == ["under_review", "in_progress", "not_taken_forward"]
    assert offered(text, reviewing) == ["in_progress", "not_taken_forward"]
    assert offered(text, doing) == ["under_review", "implemented", "not_taken_forward"]
    done = share(bob, title="Done")
    set_status(done, Status.IMPLEMENTED)
    implemented = page(client_for(lena).get(INBOX, {"status": "implemented"}))
    assert offered(implemented, done) == ["in_progress"]


def test_a_duplicate_offers_no_status_change(client_for, lena, bob, share, as_member):
    original = share(bob, title="Second drug trolley for nights")
    duplicate = share(bob, title="Another drugs trolley please")
    as_member(lena, triage_services.idea_merge, idea=duplicate, into=original)
    text = page(client_for(lena).get(INBOX, {"status": "duplicate"}))
    assert "Another drugs trolley please" in text
    assert "Change status" not in item_of(text, duplicate)
    assert "Change status" not in page(client_for(lena).get(triage_url(duplicate)))


def test_the_triage_page_offers_the_same_moves(client_for, lena, bob, share):
    idea = share(bob)
    set_status(idea, Status.NOT_TAKEN_FORWARD)
    assert offered(page(client_for(lena).get(triage_url(idea))), idea) == ["under_review"]


# What each item shows -----------------------------------------------------------------------


def test_an_item_shows_what_a_lead_needs_to_triage_it(
    client_for, lena, alice, bob, organisation, share, team, as_member
):
    idea = share(
        bob,
        title="Quieter bleeps",
        description="Night bleeps wake patients on the whole bay. " * 8,
        kind="concern",
    )
    with scopes_disabled():
        idea.team = team
        idea.save(update_fields=["team"])
    as_member(alice, idea_services.idea_support, idea=idea)
    as_member(lena, idea_services.comment_add, idea=idea, body="Which bay?")
    item = item_of(page(client_for(lena).get(INBOX)), idea)
    assert "Night bleeps wake patients on the whole bay." in item
    assert "…" in item  # an excerpt, not the whole description
    assert "Problem or concern" in item
    assert "Efficiency and waste" in item
    assert "Acute Medical Unit" in item
    assert "Team: Patient Flow Team" in item
    assert "Shared by Bob Porter on" in item
    assert "1 support ·" in item
    assert "1 comment" in item


def test_an_anonymous_item_says_anonymous_and_nothing_else_about_who(
    client_for, lena, organisation, ward, share
):
    dana = person(organisation, "dana@city.nhs.uk", "Dana Nightnurse", ward=ward)
    idea = share(dana, anonymous=True, title="Bullying on night shifts", description="Shouted at.")
    for path in (INBOX, triage_url(idea)):
        text = page(client_for(lena).get(path))
        assert "Shared by Anonymous on" in text
        assert "Dana" not in text and "dana@" not in text


def test_the_wait_is_counted_from_the_last_reply_not_from_sharing(
    client_for, lena, bob, share, as_member
):
    waiting = share(bob, title="Nobody has answered")
    answered = share(bob, title="Answered three days ago")
    back_date(waiting, 10)
    as_member(lena, triage_services.idea_triage_status, idea=answered, to_status="under_review")
    back_date(answered, 10, replied_days=3)
    text = page(client_for(lena).get(INBOX))
    assert "Waiting 10 days, no reply yet" in item_of(text, waiting)
    assert "Waiting 3 days since the last reply" in item_of(text, answered)
    assert "Waiting 10 days" not in item_of(text, answered)


def test_the_inbox_runs_a_fixed_number_of_queries_whatever_its_ideas_show(
    client_for, lena, organisation, team, share, bob, django_assert_max_num_queries
):
    client = client_for(lena)
    share(bob, title="First idea")
    with django_assert_max_num_queries(40) as few:
        assert client.get(INBOX).status_code == 200
    with scopes_disabled():
        for n in range(24):
            idea = factories.IdeaFactory(
                organisation=organisation,
                title=f"Idea {n}",
                team=team if n % 2 else None,
                is_anonymous=n % 3 == 0,
                author=None if n % 3 == 0 else factories.UserFactory(),
                support_count=n,
                comment_count=n % 4,
                status_changed_at=timezone.now() if n % 5 == 0 else None,
            )
            Comment.objects.create(idea=idea, organisation=organisation, body="Seen it too.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INBOX)
    assert "25 ideas to triage." in page(response)


# Next idea --------------------------------------------------------------------------------


@pytest.fixture
def queue(bob, share):
    """Four ideas in the inbox's order: unreviewed oldest first."""
    ideas = [share(bob, title=f"Queue idea {n}") for n in range(4)]
    for days, idea in zip((4, 3, 2, 1), ideas, strict=True):
        back_date(idea, days)
    return ideas


def next_link(text):
    found = re.search(r'<a href="([^"]+)">Next idea</a>', text)
    return found.group(1).replace("&amp;", "&") if found else None


def test_next_idea_walks_the_queue_in_the_inboxs_order(client_for, lena, queue):
    client = client_for(lena)
    seen = []
    url = triage_url(queue[0])
    while url:
        text = page(client.get(url))
        seen.append(re.search(r'<h1 class="iw-triage-title">(.*?)</h1>', text).group(1))
        url = next_link(text)
    assert seen == [f"Queue idea {n}" for n in range(4)]
    assert "This is the last idea in the queue." in text


def test_next_idea_keeps_the_inboxs_filters(client_for, lena, queue, team):
    for idea in (queue[0], queue[2]):
        with scopes_disabled():
            Idea.objects.filter(pk=idea.pk).update(team=team)
    client = client_for(lena)
    inbox = page(client.get(INBOX, {"team": team.pk}))
    assert f'href="{triage_url(queue[0])}?team={team.pk}"' in inbox
    text = page(client.get(triage_url(queue[0]), {"team": team.pk}))
    assert next_link(text) == f"{triage_url(queue[2])}?team={team.pk}"


def test_saving_and_going_on_lands_on_the_next_idea(client_for, lena, queue):
    client = client_for(lena)
    response = client.post(
        status_url(queue[0]),
        {"to_status": "under_review", "message": "Looking", "then": "next", "query": ""},
    )
    # The first idea moved down the queue; the lead goes on to the one after where it was.
    assert response.status_code == 302
    assert response["Location"] == triage_url(queue[1])
    assert status_of(queue[0]) == Status.UNDER_REVIEW


def test_saving_the_last_idea_and_going_on_returns_to_the_inbox(client_for, lena, queue):
    response = client_for(lena).post(
        status_url(queue[3]), {"to_status": "under_review", "then": "next", "query": "kind=idea"}
    )
    assert response["Location"] == f"{INBOX}?kind=idea"


def test_a_team_member_walks_only_their_teams_queue(client_for, tess, queue, team):
    with scopes_disabled():
        Idea.objects.filter(pk__in=[queue[1].pk, queue[3].pk]).update(team=team)
    text = page(client_for(tess).get(triage_url(queue[1])))
    assert next_link(text) == triage_url(queue[3])


# Starting a project from an idea ----------------------------------------------------------


def test_starting_a_project_from_an_idea_fills_in_its_ward_and_team(
    client_for, lena, bob, share, team, ward
):
    idea = share(bob, title="Faster discharge")
    with scopes_disabled():
        Idea.objects.filter(pk=idea.pk).update(team=team)
    text = page(client_for(lena).get(f"{ORG}/projects/new/", {"ideas": idea.pk}))
    assert f'<option value="{team.pk}" selected>Patient Flow Team</option>' in text
    assert re.search(rf'name="wards" type="\w+" value="{ward.pk}" checked>', text)
    assert 'value="Faster discharge"' in text


def test_ideas_of_different_teams_leave_the_team_to_choose(
    client_for, lena, bob, share, team, other_team
):
    first, second = share(bob, title="One"), share(bob, title="Two")
    with scopes_disabled():
        Idea.objects.filter(pk=first.pk).update(team=team)
        Idea.objects.filter(pk=second.pk).update(team=other_team)
    text = page(client_for(lena).get(f"{ORG}/projects/new/", {"ideas": [first.pk, second.pk]}))
    assert " selected>Patient Flow Team" not in text
    assert " selected>Falls Prevention Team" not in text


def test_the_triage_page_shows_the_same_facts_as_the_item(
    client_for, lena, alice, bob, share, as_member
):
    idea = share(bob, title="Quieter bleeps", description="Night bleeps wake patients.")
    as_member(alice, idea_services.idea_support, idea=idea)
    inbox = item_of(page(client_for(lena).get(INBOX)), idea)
    text = page(client_for(lena).get(triage_url(idea)))
    for fact in (
        "Improvement idea · Efficiency and waste · Acute Medical Unit",
        "Shared by Bob Porter on",
        "1 support · 0 comments",
        "Waiting since today, no reply yet",
    ):
        assert fact in inbox and fact in text


def test_an_anonymous_item_swapped_in_by_htmx_names_nobody(
    client_for, lena, organisation, ward, share
):
    dana = person(organisation, "dana@city.nhs.uk", "Dana Nightnurse", ward=ward)
    idea = share(dana, anonymous=True, title="Bullying on night shifts", description="Shouted at.")
    client = client_for(lena)
    for data in ({"to_status": "implemented"}, {"to_status": "under_review"}):
        text = page(client.post(status_url(idea), data, HTTP_HX_REQUEST="true"))
        assert "Shared by Anonymous on" in text
        assert "Dana" not in text and "dana@" not in text
