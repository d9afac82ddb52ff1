"""Kinds of measure (measurement, count, rate, percentage): the rules for each kind's data,
in the services, the forms and the pasted lines; the words on every empty choice."""

from datetime import date, timedelta

import pytest
from django import forms as django_forms
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled

from projects import forms as project_forms
from projects import services as project_services
from projects.models import DriverNode, Measure, MeasurePoint
from projects.paste import parse_pasted_points
from tests import factories
from tests.conftest import membership
from tests.teamwork import ORG, page

START = date(2026, 1, 5)


def weeks(n):
    return [START + timedelta(weeks=i) for i in range(n)]


def measure_url(measure, rest=""):
    return f"{ORG}/projects/{measure.project_id}/measures/{measure.pk}/{rest}"


def rows(measure):
    with scopes_disabled():
        return list(
            MeasurePoint.objects.filter(measure=measure)
            .order_by("date")
            .values_list("value", "numerator", "denominator")
        )


def make(as_member, alice, project, kind, **fields):
    defaults = {"name": f"A {kind}", "unit": "%", "kind": kind}
    return as_member(alice, project_services.measure_save, project=project, **defaults | fields)


def refused(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# The services -------------------------------------------------------------------------


def test_existing_measures_are_measurements_and_keep_working(postgresql, measure):
    assert measure.kind == Measure.Kind.MEASUREMENT


def test_a_rate_needs_what_it_is_per_and_what_the_denominator_counts(
    postgresql, as_member, alice, project
):
    errors = refused(lambda: make(as_member, alice, project, "rate", denominator_name=""))
    assert set(errors) == {"rate_per", "denominator_name"}
    rate = make(as_member, alice, project, "rate", rate_per=1000, denominator_name="bed days")
    assert (rate.rate_per, rate.denominator_name) == (1000, "bed days")


def test_a_percentage_needs_what_the_denominator_counts(postgresql, as_member, alice, project):
    errors = refused(lambda: make(as_member, alice, project, "percentage"))
    assert set(errors) == {"denominator_name"}


def test_a_count_keeps_no_rate_or_denominator(postgresql, as_member, alice, project):
    count = make(as_member, alice, project, "count", rate_per=1000, denominator_name="beds")
    assert (count.rate_per, count.denominator_name) == (None, "")


def test_a_rate_is_charted_per_its_multiplier(postgresql, as_member, alice, project):
    rate = make(as_member, alice, project, "rate", rate_per=1000, denominator_name="bed days")
    as_member(
        alice,
        project_services.measure_points_add,
        measure=rate,
        points=[(START, 3, 200), (START + timedelta(weeks=1), 0, 180.5)],
    )
    assert rows(rate) == [(15.0, 3.0, 200.0), (0.0, 0.0, 180.5)]


def test_changing_what_a_rate_is_per_recharts_its_data(postgresql, as_member, alice, project):
    rate = make(as_member, alice, project, "rate", rate_per=1000, denominator_name="bed days")
    as_member(alice, project_services.measure_points_add, measure=rate, points=[(START, 3, 200)])
    as_member(
        alice,
        project_services.measure_save,
        project=project,
        measure=rate,
        rate_per=100,
        kind="rate",
        denominator_name="bed days",
    )
    assert rows(rate) == [(1.5, 3.0, 200.0)]


def test_a_percentage_is_out_of_100(postgresql, as_member, alice, project):
    share = make(as_member, alice, project, "percentage", denominator_name="patients")
    as_member(alice, project_services.measure_points_add, measure=share, points=[(START, 45, 60)])
    assert rows(share) == [(75.0, 45.0, 60.0)]


@pytest.mark.parametrize(
    ("kind", "point", "message"),
    [
        ("count", (START, 2.5), "A count is a whole number, 0 or more."),
        ("count", (START, -1), "A count is a whole number, 0 or more."),
        ("rate", (START, 3, 0), "The denominator must be more than 0."),
        ("rate", (START, 3, -10), "The denominator must be more than 0."),
        ("rate", (START, 3), "Enter the numerator."),
        ("percentage", (START, 61, 60), "The numerator cannot be more than the denominator."),
        ("percentage", (START, 6, 60.5), "The denominator of a percentage is a whole number."),
        ("percentage", (START, -1, 60), "The numerator is a whole number, 0 or more."),
    ],
)
def test_each_kind_refuses_data_that_does_not_fit_it(
    postgresql, as_member, alice, project, kind, point, message
):
    measure = make(as_member, alice, project, kind, rate_per=10, denominator_name="patients")
    errors = refused(
        lambda: as_member(
            alice, project_services.measure_points_add, measure=measure, points=[point]
        )
    )
    assert any(message in text for text in errors["points"])
    assert rows(measure) == []


def test_one_bad_point_saves_none_of_the_others(postgresql, as_member, alice, project):
    share = make(as_member, alice, project, "percentage", denominator_name="patients")
    points = [(d, 5, 10) for d in weeks(5)] + [(START + timedelta(weeks=6), 11, 10)]
    refused(
        lambda: as_member(alice, project_services.measure_points_add, measure=share, points=points)
    )
    assert rows(share) == []


def test_a_measure_with_data_keeps_its_kind(postgresql, as_member, alice, project, measure):
    as_member(alice, project_services.measure_points_add, measure=measure, points=[(START, 4)])
    errors = refused(
        lambda: as_member(
            alice,
            project_services.measure_save,
            project=project,
            measure=measure,
            kind="count",
        )
    )
    assert "kind" in errors


# The forms and pages --------------------------------------------------------------------


def measure_form(**fields):
    return {
        "name": "Falls",
        "type": "outcome",
        "kind": "measurement",
        "unit": "falls per 1,000 bed days",
        "direction": "down",
        **fields,
    }


def test_the_measure_form_asks_for_a_rates_denominator_beside_the_field(client_for, alice, project):
    response = client_for(alice).post(
        f"{ORG}/projects/{project.pk}/measures/new/", measure_form(kind="rate")
    )
    assert response.status_code == 400
    text = page(response)
    assert "Choose what the rate is per, for example per 1,000." in text
    assert 'href="#id_rate_per"' in text
    assert 'href="#id_denominator_name"' in text


def test_a_rate_measure_is_made_from_the_form(client_for, alice, project):
    response = client_for(alice).post(
        f"{ORG}/projects/{project.pk}/measures/new/",
        measure_form(kind="rate", rate_per="1000", denominator_name="bed days"),
    )
    assert response.status_code == 302
    with scopes_disabled():
        made = Measure.objects.get(project=project, name="Falls")
    assert (made.kind, made.rate_per, made.denominator_name) == ("rate", 1000, "bed days")


@pytest.fixture
def percentage(project):
    with scopes_disabled():
        return factories.MeasureFactory(
            project=project,
            name="Patients screened for sepsis",
            unit="%",
            kind="percentage",
            denominator_name="patients",
        )


def test_a_single_percentage_point_needs_numerator_no_more_than_denominator(
    client_for, alice, percentage
):
    client = client_for(alice)
    response = client.post(
        measure_url(percentage),
        {"action": "point", "date": "2026-01-05", "numerator": "61", "denominator": "60"},
    )
    assert response.status_code == 400
    text = page(response)
    assert "The numerator cannot be more than the denominator." in text
    assert 'href="#id_numerator"' in text
    response = client.post(
        measure_url(percentage),
        {"action": "point", "date": "2026-01-05", "numerator": "45", "denominator": ""},
    )
    assert response.status_code == 400
    assert "Enter the denominator." in page(response)
    assert 'href="#id_denominator"' in page(response)
    assert rows(percentage) == []


def test_pasted_percentages_take_a_numerator_and_denominator_a_line(client_for, alice, percentage):
    client = client_for(alice)
    response = client.post(measure_url(percentage), {"action": "paste", "data": "2026-01-05, 45\n"})
    assert response.status_code == 400
    assert "Line 1: expected a date, the numerator and the denominator" in page(response)
    response = client.post(
        measure_url(percentage),
        {"action": "paste", "data": "2026-01-05, 45, 60\n2026-01-12\t30\t40"},
    )
    assert response.status_code == 302
    assert rows(percentage) == [(75.0, 45.0, 60.0), (75.0, 30.0, 40.0)]


def test_pasted_lines_name_the_kinds_rule_they_break():
    result = parse_pasted_points("2026-01-05, 61, 60\n2026-01-12, 3, 0", kind="percentage")
    assert result.errors == [
        "Line 1: “61”: The numerator cannot be more than the denominator.",
        "Line 2: “0”: The denominator must be more than 0.",
    ]
    counts = parse_pasted_points("2026-01-05, 2.5\n2026-01-12, 3", kind="count")
    assert counts.errors == ["Line 1: “2.5”: A count is a whole number, 0 or more."]


# Words on every empty choice ----------------------------------------------------------------


def _forms(organisation, project, measure, node, alice):
    member = membership(alice, organisation)
    return [
        project_forms.ProjectForm(member=member),
        project_forms.ProjectForm.for_project(project, member=member),
        project_forms.DriverNodeForm(project=project),
        project_forms.DriverNodeEditForm(node=node),
        project_forms.MeasureForm(),
        project_forms.PDSAForm(),
        project_forms.LinkIdeaForm(member=member),
        project_forms.ChangePointForm(project=project),
        project_forms.PointForm(measure=measure),
    ]


def test_no_choice_in_a_projects_form_says_dashes_or_none(organisation, project, measure, alice):
    with scopes_disabled():
        node = DriverNode.objects.create(
            organisation=organisation, project=project, level="change", text="Huddle"
        )
    with scope(organisation=organisation):
        labels = []
        for form in _forms(organisation, project, measure, node, alice):
            for field in form.fields.values():
                if isinstance(field, django_forms.ChoiceField):
                    labels += [str(label) for _, label in field.choices]
    assert labels
    assert not [label for label in labels if label.strip("-") == "" or label == "None"]


def test_the_pdsa_act_choice_speaks_for_people():
    choices = dict(project_forms.PDSAForm().fields["act"].choices)
    assert choices[""] == "Not decided yet"
