"""Measures, data entry (one point or pasted from a spreadsheet), charts and PDSA cycles."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled

from audit.models import AuditEvent, Kind
from organisations.models import Role
from projects import services as project_services
from projects.models import Measure, MeasurePoint, PDSACycle
from projects.paste import parse_pasted_points
from tests.conftest import membership
from tests.teamwork import ORG, page, person

START = date(2026, 1, 5)  # a Monday


def weekly(values, start=START):
    return [(start + timedelta(weeks=i), float(v)) for i, v in enumerate(values)]


def pasted(values, start=START, sep=", "):
    return "\n".join(f"{day:%Y-%m-%d}{sep}{value:g}" for day, value in weekly(values, start))


def measure_url(measure, rest=""):
    return f"{ORG}/projects/{measure.project_id}/measures/{measure.pk}/{rest}"


def saved_points(measure):
    with scopes_disabled():
        return list(MeasurePoint.objects.filter(measure=measure).values_list("date", "value"))


def cycles(project):
    with scopes_disabled():
        return list(
            PDSACycle.objects.filter(project=project)
            .order_by("number")
            .values_list("number", "change")
        )


def pdsa_form(**fields):
    return {
        "change": "Board round at eight",
        "prediction": "Five more discharges before noon each week",
        "start_date": "2026-01-19",
        **fields,
    }


# Reading pasted data --------------------------------------------------------------------


def test_pasted_lines_may_be_separated_by_commas_tabs_or_semicolons():
    result = parse_pasted_points("2026-03-01, 42\n2026-03-08\t40.5\n2026-03-15;38\n")
    assert result.errors == []
    assert result.points == [
        (date(2026, 3, 1), 42.0),
        (date(2026, 3, 8), 40.5),
        (date(2026, 3, 15), 38.0),
    ]


def test_pasted_dates_may_be_iso_or_day_first():
    result = parse_pasted_points("2026-03-01,1\n02/03/2026,2\n3/3/26,3\n04.03.2026,4")
    assert result.errors == []
    assert [day for day, _ in result.points] == [
        date(2026, 3, 1),
        date(2026, 3, 2),
        date(2026, 3, 3),
        date(2026, 3, 4),
    ]


def test_pasted_values_may_carry_percent_signs_and_thousands_separators():
    result = parse_pasted_points('2026-03-01\t85%\n2026-03-02,"1,234"\n2026-03-03;-2.5')
    assert result.errors == []
    assert [value for _, value in result.points] == [85.0, 1234.0, -2.5]


def test_each_bad_pasted_line_is_named_in_its_own_error():
    result = parse_pasted_points(
        "\n".join(
            [
                "2026-03-01, 42",  # 1: fine
                "2026-03-02, forty",  # 2: not a number
                "2026-02-30, 40",  # 3: no such day
                "2026-03-01, 41",  # 4: the same date as line 1
                "2026-03-05",  # 5: no value
                "2026-03-06, nan",  # 6: not a real number
                "2026-03-07,",  # 7: an empty value
                "2026-03-08, 39",  # 8: fine
            ]
        )
    )
    assert result.errors == [
        "Line 2: “forty” is not a number.",
        "Line 3: “2026-02-30” is not a date (use 2026-03-01 or 01/03/2026).",
        "Line 4: 01 March 2026 is already on line 1.",
        "Line 5: expected a date and a value, like 2026-03-01, 42.",
        "Line 6: “nan” is not a number.",
        "Line 7: the value is missing.",
    ]
    assert result.points == [(date(2026, 3, 1), 42.0), (date(2026, 3, 8), 39.0)]


@pytest.mark.parametrize("day", ["30/02/2026", "31-04-2026", "2026/03/01", "next Tuesday"])
def test_impossible_or_unreadable_dates_are_errors(day):
    result = parse_pasted_points(f"{day}, 4")
    assert result.errors == [f"Line 1: “{day}” is not a date (use 2026-03-01 or 01/03/2026)."]
    assert result.points == []


def test_a_paste_of_too_many_lines_is_refused_whole():
    result = parse_pasted_points(pasted(range(5)), max_lines=4)
    assert result.errors == ["Paste at most 4 lines at a time."]
    assert result.points == []


def test_errors_name_the_pasted_line_even_after_a_blank_line():
    result = parse_pasted_points("2026-03-01, 42\n\n2026-03-08, forty")
    assert result.errors == ["Line 3: “forty” is not a number."]


# Who may add data ---------------------------------------------------------------------------


def test_staff_can_read_a_measure_but_not_add_or_change_anything(client_for, bob, project, measure):
    client = client_for(bob)
    response = client.get(measure_url(measure))
    assert response.status_code == 200
    assert "Add a data point" not in page(response)
    point = {"action": "point", "date": "2026-03-01", "value": "4"}
    assert client.post(measure_url(measure), point).status_code == 403
    paste = {"action": "paste", "data": "2026-03-01, 4"}
    assert client.post(measure_url(measure), paste).status_code == 403
    assert saved_points(measure) == []
    base = f"{ORG}/projects/{project.pk}/"
    assert client.get(base + "measures/new/").status_code == 403
    new_measure = {"name": "Falls", "type": "outcome", "unit": "falls", "direction": "down"}
    assert client.post(base + "measures/new/", new_measure).status_code == 403
    assert client.get(measure_url(measure, "edit/")).status_code == 403
    assert client.get(base + "pdsa/new/").status_code == 403
    assert client.post(base + "pdsa/new/", pdsa_form()).status_code == 403
    assert cycles(project) == []
    with scopes_disabled():
        assert Measure.objects.count() == 1
        # Nothing changed; each refusal is in the audit log as one (tests/audit).
        assert not AuditEvent.objects.exclude(kind=Kind.REFUSED).exists()
        assert AuditEvent.objects.filter(kind=Kind.REFUSED).count() == 7


def test_a_team_member_adds_measures_data_and_cycles_to_their_teams_project_only(
    client_for, tess, project, other_project
):
    client = client_for(tess)
    new_measure = {"name": "Falls", "type": "outcome", "unit": "falls", "direction": "down"}
    response = client.post(f"{ORG}/projects/{project.pk}/measures/new/", new_measure)
    assert response.status_code == 302
    with scopes_disabled():
        measure = Measure.objects.get(project=project)
    assert response["Location"] == measure_url(measure)
    point = {"action": "point", "date": "2026-03-01", "value": "4"}
    assert client.post(measure_url(measure), point).status_code == 302
    assert client.post(f"{ORG}/projects/{project.pk}/pdsa/new/", pdsa_form()).status_code == 302
    assert cycles(project) == [(1, "Board round at eight")]

    elsewhere = f"{ORG}/projects/{other_project.pk}/"
    assert client.post(elsewhere + "measures/new/", new_measure).status_code == 403
    assert client.post(elsewhere + "pdsa/new/", pdsa_form()).status_code == 403
    assert cycles(other_project) == []


def test_a_qi_lead_without_two_factor_authentication_is_sent_to_set_it_up_before_changing(
    client_for, organisation, ward, project, measure
):
    lead = person(organisation, "nadia@city.nhs.uk", "Nadia NoMFA", role=Role.QI_LEAD, ward=ward)
    with scopes_disabled():
        project.team.members.add(membership(lead, organisation))
    client = client_for(lead)
    point = {"action": "point", "date": "2026-03-01", "value": "4"}
    response = client.post(measure_url(measure), point)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert saved_points(measure) == []


# Adding data on the page --------------------------------------------------------------------


def test_a_measure_needs_a_name_and_a_unit(client_for, alice, project):
    response = client_for(alice).post(
        f"{ORG}/projects/{project.pk}/measures/new/", {"type": "outcome", "direction": "up"}
    )
    assert response.status_code == 400
    text = page(response)
    assert "Name the measure." in text
    assert "Give the unit, for example minutes or %." in text
    with scopes_disabled():
        assert not Measure.objects.exists()


def test_a_paste_with_bad_lines_saves_nothing_and_lists_each_line(client_for, alice, measure):
    data = "2026-03-01, 42\n2026-03-08, forty\n2026-02-30, 40\n2026-03-22, 38"
    response = client_for(alice).post(measure_url(measure), {"action": "paste", "data": data})
    assert response.status_code == 400
    text = page(response)
    assert "Nothing was saved: 2 lines need correcting" in text
    assert "Line 2: “forty” is not a number." in text
    assert "Line 3: “2026-02-30” is not a date (use 2026-03-01 or 01/03/2026)." in text
    assert "Nothing was saved: correct the lines listed and paste again." in text
    assert "2026-03-22, 38" in text  # the paste is kept to correct
    assert saved_points(measure) == []


def test_a_paste_with_a_date_the_measure_has_saves_nothing_and_says_which(
    client_for, alice, measure, as_member
):
    as_member(alice, project_services.measure_points_add, measure=measure, points=weekly([40]))
    response = client_for(alice).post(
        measure_url(measure), {"action": "paste", "data": pasted([41, 42, 43])}
    )
    assert response.status_code == 400
    assert "This measure already has a value for 05 January 2026." in page(response)
    assert saved_points(measure) == weekly([40])


def test_twelve_pasted_points_are_saved_and_bring_the_spc_chart(client_for, alice, measure):
    client = client_for(alice)
    data = pasted([40, 42, 39, 41, 43, 40, 38, 42, 41, 40, 39, 44], sep="\t")
    response = client.post(measure_url(measure), {"action": "paste", "data": data}, follow=True)
    assert response.redirect_chain == [(measure_url(measure), 302)]
    text = page(response)
    assert "Added 12 data points." in text
    assert len(saved_points(measure)) == 12
    assert "<h2>Run chart</h2>" in text
    assert "SPC chart (XmR)" in text
    assert "An SPC chart appears" not in text
    with scopes_disabled():
        (event,) = AuditEvent.objects.filter(action="added data")
    assert event.after == {"measure": "Discharges before noon", "points": 12}


def test_eleven_points_show_an_spc_chart_with_trial_limits(client_for, alice, measure, as_member):
    as_member(
        alice, project_services.measure_points_add, measure=measure, points=weekly(range(30, 41))
    )
    text = page(client_for(alice).get(measure_url(measure)))
    assert "<h2>Run chart</h2>" in text
    assert "SPC chart (XmR)" in text
    assert "Trial limits: from 11 points." in text


def test_a_measure_without_data_says_so(client_for, bob, measure):
    text = page(client_for(bob).get(measure_url(measure)))
    assert "No data yet. Add the first values below." in text
    assert "Run chart" not in text


def test_a_single_point_is_added_and_its_date_must_be_new(client_for, alice, measure):
    client = client_for(alice)
    point = {"action": "point", "date": "2026-03-01", "value": "42.5"}
    response = client.post(measure_url(measure), point, follow=True)
    assert "The data point has been added." in page(response)
    assert saved_points(measure) == [(date(2026, 3, 1), 42.5)]
    again = client.post(measure_url(measure), {**point, "value": "50"})
    assert again.status_code == 400
    assert again.context["point_form"].errors["date"] == [
        "This measure already has a value for 01 March 2026."
    ]
    assert saved_points(measure) == [(date(2026, 3, 1), 42.5)]


def test_the_service_refuses_one_date_twice_in_one_call(as_member, alice, measure):
    """All or nothing, as a field error: the unique constraint is never what refuses it."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        as_member(
            alice,
            project_services.measure_points_add,
            measure=measure,
            points=[(date(2026, 3, 1), 4.0), (date(2026, 3, 1), 5.0)],
        )
    assert refused.value.message_dict["points"] == [
        "01 March 2026: this date is given more than once."
    ]
    assert saved_points(measure) == []


def test_a_single_point_needs_a_real_date_and_a_number(client_for, alice, measure):
    response = client_for(alice).post(
        measure_url(measure), {"action": "point", "date": "2026-02-30", "value": "lots"}
    )
    assert response.status_code == 400
    errors = response.context["point_form"].errors
    assert errors["date"] == ["Enter a real date."]
    assert errors["value"] == ["Enter the value as a number."]
    assert saved_points(measure) == []


def test_removing_a_point_asks_first(client_for, alice, bob, measure, as_member):
    as_member(alice, project_services.measure_points_add, measure=measure, points=weekly([40, 41]))
    with scopes_disabled():
        first = MeasurePoint.objects.get(date=START)
    url = measure_url(measure, f"points/{first.pk}/remove/")
    client = client_for(alice)
    assert client_for(bob).post(url).status_code == 403
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Remove the value for 5 January 2026?" in page(confirm)
    assert len(saved_points(measure)) == 2
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == measure_url(measure) + "#data"
    assert saved_points(measure) == weekly([41], start=START + timedelta(weeks=1))
    with scopes_disabled():
        (event,) = AuditEvent.objects.filter(action="removed data point")
    assert event.before == {"measure": "Discharges before noon", "date": "2026-01-05", "value": 40}


# What the charts say ------------------------------------------------------------------------


def test_the_run_chart_reports_a_shift(client_for, bob, alice, measure, as_member):
    # Median 5: six points below it, then six above: two shifts, and only two runs.
    values = [1, 2, 1, 2, 1, 2, 9, 8, 9, 8, 9, 8]
    as_member(alice, project_services.measure_points_add, measure=measure, points=weekly(values))
    text = page(client_for(bob).get(measure_url(measure)))
    assert "Median: 5 %" in text
    assert (
        "<strong>Shift:</strong> 2 runs of 6 or more points on one side of the median: "
        "a sign of non-random change." in text
    )
    assert "<strong>Too few runs</strong> for the number of points" in text
    assert "No run chart rule is broken" not in text


def test_the_run_chart_reports_no_rule_broken_for_random_looking_data(
    client_for, bob, alice, measure, as_member
):
    values = [40, 43, 39, 42, 44, 38, 41, 45, 40, 42]
    as_member(alice, project_services.measure_points_add, measure=measure, points=weekly(values))
    text = page(client_for(bob).get(measure_url(measure)))
    assert "Median: 41.50 %" in text
    assert "No run chart rule is broken: the variation looks random so far." in text
    assert "Shift:" not in text


def test_a_pdsa_cycle_is_marked_on_the_charts(client_for, alice, project, measure, as_member):
    as_member(
        alice, project_services.measure_points_add, measure=measure, points=weekly(range(30, 44))
    )
    as_member(
        alice,
        project_services.pdsa_save,
        project=project,
        change="Board round at eight",
        prediction="More before noon",
        start_date=START + timedelta(weeks=4, days=2),
    )
    text = page(client_for(alice).get(measure_url(measure)))
    labels = text.count('fill="#212b32">PDSA 1</text>')
    assert labels == 2  # on the run chart and on the XmR chart
    assert "<title>4 February 2026: PDSA 1</title>" in text


# PDSA cycles --------------------------------------------------------------------------------


def test_pdsa_cycles_are_numbered_in_order(client_for, alice, project):
    client = client_for(alice)
    url = f"{ORG}/projects/{project.pk}/pdsa/new/"
    response = client.post(url, pdsa_form(), follow=True)
    assert response.redirect_chain == [(f"{ORG}/projects/{project.pk}/#pdsa", 302)]
    assert "PDSA cycle 1 has been saved." in page(response)
    response = client.post(url, pdsa_form(change="Pharmacy on the round"), follow=True)
    assert "PDSA cycle 2 has been saved." in page(response)
    assert cycles(project) == [(1, "Board round at eight"), (2, "Pharmacy on the round")]
    text = page(response)
    assert text.index("PDSA 1: Board round at eight") < text.index("PDSA 2: Pharmacy on the round")


def test_updating_a_pdsa_cycle_keeps_its_number(client_for, alice, project, as_member):
    cycle = as_member(
        alice,
        project_services.pdsa_save,
        project=project,
        change="Board round at eight",
        prediction="More before noon",
        start_date=date(2026, 1, 19),
    )
    response = client_for(alice).post(
        f"{ORG}/projects/{project.pk}/pdsa/{cycle.pk}/",
        pdsa_form(end_date="2026-01-30", study_notes="Two more a day.", act="adopt"),
    )
    assert response.status_code == 302
    with scopes_disabled():
        cycle.refresh_from_db()
    assert (cycle.number, cycle.act, cycle.end_date) == (1, "adopt", date(2026, 1, 30))
    assert cycles(project) == [(1, "Board round at eight")]


def test_updating_a_pdsa_cycle_on_the_page_is_in_the_audit_trail(
    client_for, alice, project, as_member
):
    cycle = as_member(
        alice,
        project_services.pdsa_save,
        project=project,
        change="Board round at eight",
        prediction="Five more discharges before noon each week",
        start_date=date(2026, 1, 19),
    )
    client_for(alice).post(
        f"{ORG}/projects/{project.pk}/pdsa/{cycle.pk}/",
        pdsa_form(study_notes="Two more a day.", act="adopt"),
    )
    with scopes_disabled():
        event = AuditEvent.objects.get(action="updated PDSA cycle 1")
    assert event.before == {"study_notes": "", "act": ""}
    assert event.after == {"study_notes": "Two more a day.", "act": "adopt"}


def test_changing_a_measure_saves_it(client_for, alice, measure):
    response = client_for(alice).post(
        measure_url(measure, "edit/"),
        {"name": "Discharges by noon", "type": "process", "unit": "%", "direction": "up"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        measure.refresh_from_db()
    assert (measure.name, measure.type) == ("Discharges by noon", "process")


def test_changing_a_measure_records_its_old_values_in_the_audit_trail(client_for, alice, measure):
    client_for(alice).post(
        measure_url(measure, "edit/"),
        {"name": "Discharges by noon", "type": "outcome", "unit": "%", "direction": "up"},
    )
    with scopes_disabled():
        event = AuditEvent.objects.get(action="changed measure")
    assert event.before["name"] == "Discharges before noon"
    assert event.after["name"] == "Discharges by noon"


def test_a_pdsa_end_date_before_its_start_date_is_a_field_error(client_for, alice, project):
    response = client_for(alice).post(
        f"{ORG}/projects/{project.pk}/pdsa/new/",
        pdsa_form(start_date="2026-01-19", end_date="2026-01-12"),
    )
    assert response.status_code == 400
    assert response.context["form"].errors["end_date"] == [
        "The end date must be after the start date."
    ]
    assert cycles(project) == []


def test_a_pdsa_cycle_needs_a_change_a_prediction_and_a_start_date(client_for, alice, project):
    response = client_for(alice).post(f"{ORG}/projects/{project.pk}/pdsa/new/", {})
    assert response.status_code == 400
    text = page(response)
    assert "Describe the change you are testing." in text
    assert "Write what you predict will happen." in text
    assert "Enter the start date." in text
    assert cycles(project) == []


@pytest.mark.django_db(transaction=True)
def test_two_people_adding_a_pdsa_cycle_at_once_get_numbers_1_and_2(
    postgresql, organisation, project, alice, tess
):
    barrier = threading.Barrier(2)
    errors = []

    def add(user, change):
        member = membership(user, organisation)
        try:
            barrier.wait()
            with scope(organisation=organisation):
                project_services.pdsa_save(
                    member=member,
                    project=project,
                    change=change,
                    prediction="More before noon",
                    start_date=date(2026, 1, 19),
                )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=add, args=(alice, "Board round at eight")),
        threading.Thread(target=add, args=(tess, "Pharmacy on the round")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = cycles(project)
    assert [number for number, _ in numbers] == [1, 2]
    assert {change for _, change in numbers} == {"Board round at eight", "Pharmacy on the round"}
