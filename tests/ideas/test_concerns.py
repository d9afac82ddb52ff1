"""Concerns: who to contact now, and urgent concerns (a shorter target, first in the inbox)."""

import html
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ideas import services
from ideas.models import Idea, IdeaEvent, Status
from ideas.selectors import past_response_target
from tests.conftest import membership

SHARE = "/city-hospitals/ideas/new/"
INBOX = "/city-hospitals/triage/"
TRACES = ("Dana", "Whistleblower", "dana.whistle")


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def raise_concern(organisation, categories, ward):
    """Share through the service, as the share form does, with the urgent box ticked or not."""

    def make(user, *, kind="concern", urgent=True, anonymous=False, title="Broken hoist"):
        with scope(organisation=organisation):
            idea, _ = services.idea_submit(
                member=membership(user, organisation),
                submission_id=uuid.uuid4(),
                kind=kind,
                title=title,
                description="The hoist on bay 3 has failed twice this week.",
                category=categories["Patient safety"],
                ward=ward,
                anonymous=anonymous,
                urgent=urgent,
            )
        return idea

    return make


def back_date(idea, days):
    with scopes_disabled():
        Idea.objects.filter(pk=idea.pk).update(created_at=timezone.now() - timedelta(days=days))


def set_contacts(organisation, **fields):
    with scopes_disabled():
        for name, value in fields.items():
            setattr(organisation, name, value)
        organisation.full_clean()
        organisation.save()


# Who to contact ----------------------------------------------------------------------


def test_the_share_form_names_the_guardian_and_links_incident_reporting(
    client_for, bob, organisation
):
    set_contacts(
        organisation,
        speak_up_guardian_name="Priya Shah",
        speak_up_guardian_contact="extension 4455",
        incident_reporting_url="https://datix.city.nhs.uk/report",
    )
    page = text(client_for(bob).get(SHARE))
    assert "If this is urgent or about patient safety" in page
    assert "Priya Shah, our Freedom to Speak Up guardian: extension 4455" in page
    assert 'href="https://datix.city.nhs.uk/report"' in page
    # Under the kind choice, before the title; the script that shows it only for concerns.
    assert page.index('name="kind"') < page.index("Priya Shah") < page.index('name="title"')
    assert "improvewell/concern" in page and "This concern is urgent" in page


def test_without_contacts_the_form_points_to_the_usual_routes(client_for, bob):
    page = text(client_for(bob).get(SHARE))
    assert "Use the trust's usual incident reporting and Freedom to Speak Up routes" in page
    assert "our Freedom to Speak Up guardian" not in page


def test_one_contact_alone_still_names_the_other_route(client_for, bob, organisation):
    set_contacts(organisation, incident_reporting_url="https://datix.city.nhs.uk/report")
    page = text(client_for(bob).get(SHARE))
    assert 'href="https://datix.city.nhs.uk/report"' in page
    assert "Speak up in confidence to the trust's Freedom to Speak Up guardian." in page


def test_another_organisations_contacts_never_show(
    client_for, bob, organisation, other_organisation
):
    set_contacts(other_organisation, speak_up_guardian_name="Hill Guardian")
    assert "Hill Guardian" not in text(client_for(bob).get(SHARE))


# Urgent ------------------------------------------------------------------------------


def test_the_share_form_marks_a_concern_urgent(client_for, bob, organisation, categories, ward):
    response = client_for(bob).post(
        SHARE,
        {
            "submission_id": str(uuid.uuid4()),
            "kind": "concern",
            "urgent": "on",
            "title": "Fire door propped open",
            "description": "The fire door by the sluice is propped open every night.",
            "ward": ward.pk,
            "category": categories["Patient safety"].pk,
        },
    )
    assert response.status_code == 200
    assert "aim to reply within 2 days, as it is urgent" in text(response)
    with scopes_disabled():
        assert Idea.objects.get(title="Fire door propped open").is_urgent


@pytest.mark.parametrize("kind", ["idea", "praise"])
def test_only_a_concern_is_urgent(raise_concern, bob, kind):
    assert raise_concern(bob, kind=kind, urgent=True).is_urgent is False
    assert raise_concern(bob, kind="concern", urgent=True).is_urgent is True
    assert raise_concern(bob, kind="concern", urgent=False).is_urgent is False


def test_an_urgent_concern_tops_the_inbox(postgresql, client_for, lena, bob, raise_concern):
    oldest = raise_concern(bob, kind="idea", urgent=False, title="Oldest idea")
    back_date(oldest, 10)
    concern = raise_concern(bob, urgent=False, title="Ordinary concern")
    back_date(concern, 5)
    urgent = raise_concern(bob, title="Urgent hoist failure")
    page = text(client_for(lena).get(INBOX))
    order = [page.index(f'id="triage-{i.pk}"') for i in (urgent, oldest, concern)]
    assert order == sorted(order)
    item = page[order[0] : order[1]]
    assert "Urgent" in item.replace("Urgent hoist failure", "")


def test_an_urgent_concern_has_the_shorter_response_target(
    postgresql, client_for, lena, bob, organisation, raise_concern
):
    urgent = raise_concern(bob, title="Urgent three days")
    ordinary = raise_concern(bob, urgent=False, title="Ordinary three days")
    back_date(urgent, 3)
    back_date(ordinary, 3)
    with scope(organisation=organisation):
        late = set(Idea.objects.filter(past_response_target(organisation)))
    assert late == {urgent}
    page = text(client_for(lena).get(INBOX))
    item = page[page.index(f'id="triage-{urgent.pk}"') : page.index(f'id="triage-{ordinary.pk}"')]
    assert "Past response target" in item
    assert page.count("Past response target") == 1


def test_the_idea_page_says_urgent(client_for, bob, raise_concern):
    urgent = raise_concern(bob)
    ordinary = raise_concern(bob, urgent=False, title="Ordinary")
    tag = 'class="nhsuk-tag nhsuk-tag--red">Urgent<'
    assert tag in text(client_for(bob).get(f"/city-hospitals/ideas/{urgent.pk}/"))
    assert tag not in text(client_for(bob).get(f"/city-hospitals/ideas/{ordinary.pk}/"))


def test_an_urgent_anonymous_concern_names_nobody(
    client_for, lena, alice, dana, organisation, raise_concern
):
    idea = raise_concern(dana, anonymous=True, title="Unsafe staffing tonight")
    with scopes_disabled():
        stored = Idea.objects.get(pk=idea.pk)
        event = IdeaEvent.objects.get(idea=idea)
    assert stored.is_urgent and stored.author_id is None and event.actor_id is None
    for viewer in (lena, alice):
        client = client_for(viewer)
        for path in (INBOX, f"/city-hospitals/ideas/{idea.pk}/", f"{INBOX}{idea.pk}/"):
            page = text(client.get(path))
            assert "Unsafe staffing tonight" in page, path
            if path != f"{INBOX}{idea.pk}/":
                assert ">Urgent<" in page, path
            for trace in TRACES:
                assert trace not in page, f"{path} shows {trace}"
    with scope(organisation=organisation):
        assert list(Idea.objects.filter(status=Status.SUBMITTED, is_urgent=True)) == [stored]
