"""Change points (re-baselining a measure's limits in phases) and notes on data points."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from audit.models import AuditEvent
from projects import chart_services
from projects import services as project_services
from projects.models import ChangePoint, MeasurePoint
from tests.teamwork import ORG, page

START = date(2026, 1, 5)  # a Monday
BEFORE = [76, 78, 74, 77, 75, 79, 73, 76, 78, 74, 77, 75]  # the round took 76 minutes...
AFTER = [61, 66, 57, 64, 58, 63, 56, 62]  # ...and 61 after the second trolley


def weekly(values, start=START):
    return [(start + timedelta(weeks=i), float(v)) for i, v in enumerate(values)]


def measure_url(measure, rest=""):
    return f"{ORG}/projects/{measure.project_id}/measures/{measure.pk}/{rest}"


def changes(measure):
    with scopes_disabled():
        return list(ChangePoint.objects.filter(measure=measure).values_list("date", "label"))


def actions(project):
    with scopes_disabled():
        return list(
            AuditEvent.objects.filter(project=project)
            .order_by("id")
            .values_list("action", flat=True)
        )


@pytest.fixture
def round_length(as_member, alice, project):
    """20 weeks of a drug round's length: 76 minutes, then 61 from week 12."""
    measure = as_member(
        alice,
        project_services.measure_save,
        project=project,
        name="Night drug round duration",
        unit="minutes",
        direction="down",
        target=55,
    )
    as_member(
        alice, project_services.measure_points_add, measure=measure, points=weekly(BEFORE + AFTER)
    )
    return measure


@pytest.fixture
def trolley(as_member, alice, project):
    return as_member(
        alice,
        project_services.pdsa_save,
        project=project,
        change="Second trolley on nights",
        prediction="Fifteen minutes shorter",
        start_date=START + timedelta(weeks=11),
    )


def point_on(measure, when):
    with scopes_disabled():
        return MeasurePoint.objects.select_related("measure__project").get(
            measure=measure, date=when
        )


# Change points: the services ------------------------------------------------------------


def test_a_change_point_is_marked_and_audited(postgresql, as_member, alice, round_length):
    as_member(
        alice,
        chart_services.change_point_add,
        measure=round_length,
        date=START + timedelta(weeks=12),
        label="Second trolley",
    )
    assert changes(round_length) == [(START + timedelta(weeks=12), "Second trolley")]
    assert actions(round_length.project)[-1] == "marked a change point"


def test_a_change_point_linked_to_a_pdsa_cycle_takes_its_label(
    postgresql, as_member, alice, round_length, trolley
):
    as_member(
        alice,
        chart_services.change_point_add,
        measure=round_length,
        date=START + timedelta(weeks=12),
        label="",
        cycle=trolley,
    )
    assert changes(round_length) == [
        (START + timedelta(weeks=12), "PDSA 1: Second trolley on nights")
    ]


def test_a_change_point_needs_a_label_and_one_per_day(postgresql, as_member, alice, round_length):
    def add(**fields):
        return as_member(
            alice,
            chart_services.change_point_add,
            measure=round_length,
            date=START + timedelta(weeks=12),
            **fields,
        )

    with pytest.raises(ValidationError) as caught:
        add(label="  ")
    assert "label" in caught.value.message_dict
    add(label="Second trolley")
    with pytest.raises(ValidationError) as caught:
        add(label="Again")
    assert "date" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        as_member(
            alice,
            chart_services.change_point_add,
            measure=round_length,
            date=START,
            label="x" * 61,
        )
    assert "label" in caught.value.message_dict


def test_a_pdsa_cycle_of_another_project_cannot_mark_a_change(
    postgresql, as_member, alice, round_length, other_project
):
    cycle = as_member(
        alice,
        project_services.pdsa_save,
        project=other_project,
        change="Falls huddle",
        prediction="Fewer falls",
        start_date=START,
    )
    with pytest.raises(ValidationError) as caught:
        as_member(
            alice,
            chart_services.change_point_add,
            measure=round_length,
            date=START,
            label="",
            cycle=cycle,
        )
    assert "cycle" in caught.value.message_dict
    assert changes(round_length) == []


def test_staff_off_the_team_cannot_mark_a_change(postgresql, as_member, bob, round_length):
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied or ValidationError
        as_member(
            bob, chart_services.change_point_add, measure=round_length, date=START, label="No"
        )
    assert changes(round_length) == []


# Change points: the pages ----------------------------------------------------------------


def test_a_lead_marks_a_change_and_the_chart_has_two_phases(client_for, alice, round_length):
    client = client_for(alice)
    before = page(client.get(measure_url(round_length)))
    assert "No change marked" in before
    assert 'class="iw-chart__phase"' not in before
    response = client.post(
        measure_url(round_length, "changes/"),
        {"date": str(START + timedelta(weeks=12)), "label": "Second trolley"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#phases")
    text = page(client.get(measure_url(round_length)))
    assert "Second trolley" in text
    assert "A new phase, with its own limits, from the point of 30 March 2026 on." in text
    assert text.count('class="iw-chart__phase"') >= 2  # each phase headed on the SPC chart
    assert "Second trolley</text>" in text


def test_after_a_change_the_target_sentence_speaks_of_the_latest_phase(
    client_for, alice, round_length, as_member
):
    client = client_for(alice)
    before = page(client.get(measure_url(round_length)))
    assert "consistently miss" in before
    as_member(
        alice,
        chart_services.change_point_add,
        measure=round_length,
        date=START + timedelta(weeks=12),
        label="Second trolley",
    )
    after = page(client.get(measure_url(round_length)))
    assert "consistently miss" not in after
    assert "the process will sometimes meet it and sometimes miss it" in after
    assert (
        "the target above are for the latest phase: since 30 March 2026 (Second trolley)" in after
    )


def test_a_change_point_form_with_no_label_or_cycle_gets_a_field_error(
    client_for, alice, round_length
):
    response = client_for(alice).post(
        measure_url(round_length, "changes/"), {"date": "2026-03-30", "label": ""}
    )
    assert response.status_code == 400
    text = page(response)
    assert "Give the change a short label, or choose its PDSA cycle." in text
    assert 'href="#id_label"' in text
    assert changes(round_length) == []


def test_removing_a_change_point_asks_first(client_for, alice, as_member, round_length):
    change = as_member(
        alice,
        chart_services.change_point_add,
        measure=round_length,
        date=START + timedelta(weeks=12),
        label="Second trolley",
    )
    client = client_for(alice)
    url = measure_url(round_length, f"changes/{change.pk}/remove/")
    response = client.get(url)
    assert response.status_code == 200
    assert "Remove the change marked on 30 March 2026?" in page(response)
    assert len(changes(round_length)) == 1
    assert client.post(url).status_code == 302
    assert changes(round_length) == []
    assert actions(round_length.project)[-1] == "removed a change point"


def test_staff_read_the_changes_but_are_offered_no_forms(
    client_for, bob, as_member, alice, round_length
):
    as_member(
        alice,
        chart_services.change_point_add,
        measure=round_length,
        date=START + timedelta(weeks=12),
        label="Second trolley",
    )
    text = page(client_for(bob).get(measure_url(round_length)))
    assert "Second trolley" in text
    assert "Mark a change in the process" not in text
    assert "Add a note" not in text
    assert client_for(bob).post(measure_url(round_length, "changes/"), {}).status_code == 403


# Notes on points ------------------------------------------------------------------------------


def test_a_note_is_added_changed_and_removed_and_each_is_audited(
    postgresql, as_member, alice, round_length
):
    point = point_on(round_length, START)

    def note(text):
        return as_member(alice, chart_services.point_note_set, point=point, note=text)

    assert note("Two agency nurses on nights").note == "Two agency nurses on nights"
    assert note("Agency nurses").note == "Agency nurses"
    assert note("Agency nurses").note == "Agency nurses"  # unchanged: nothing recorded
    assert note("").note == ""
    assert actions(round_length.project)[-3:] == [
        "added a note",
        "changed a note",
        "removed a note",
    ]


def test_a_note_is_one_line_and_short(postgresql, as_member, alice, round_length):
    point = point_on(round_length, START)
    with pytest.raises(ValidationError) as caught:
        as_member(alice, chart_services.point_note_set, point=point, note="x" * 141)
    assert "note" in caught.value.message_dict
    saved = as_member(alice, chart_services.point_note_set, point=point, note="Two\nlines")
    assert saved.note == "Two lines"


def test_a_note_shows_on_the_chart_and_in_the_table_escaped(client_for, alice, round_length):
    client = client_for(alice)
    point = point_on(round_length, START + timedelta(weeks=5))
    url = measure_url(round_length, f"points/{point.pk}/note/")
    assert "Add a note to 9 February 2026" in page(client.get(url))
    response = client.post(url, {"note": "<b>Agency</b> nurses on nights"})
    assert response.status_code == 302
    assert response["Location"].endswith("#data")
    response = client.get(measure_url(round_length))
    raw = response.content.decode()
    assert "<b>Agency</b>" not in raw
    assert raw.count("&lt;b&gt;Agency&lt;/b&gt; nurses on nights") >= 2  # the chart and the table


def test_a_too_long_note_gets_a_field_error(client_for, alice, round_length):
    point = point_on(round_length, START)
    response = client_for(alice).post(
        measure_url(round_length, f"points/{point.pk}/note/"), {"note": "x" * 141}
    )
    assert response.status_code == 400
    assert "Use 140 characters or fewer." in page(response)
    assert 'maxlength="140"' in page(response)
