"""The shared field template: several choices are checkboxes, one choice is radios.

Every field that takes several values (grep forms.py for "Multiple"): the pulse
check-in's tags, and the wards a team or a QI project covers. Each must render as NHS.UK
checkboxes, keep two choices when saved, and link its error to its first box.
"""

import re

import pytest
from django import forms
from django_scopes import scopes_disabled

from dashboards.forms import PulseForm
from ideas.models import PulseCheckIn
from organisations.models import Ward
from projects.models import Project
from teams.models import Team
from tests import factories
from tests.teamwork import ORG

pytestmark = pytest.mark.django_db


def inputs(html: str, name: str) -> list[tuple[str, str]]:
    """(type, id) of every <input> named `name`."""
    found = []
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag:
            kind = re.search(r'type="([^"]+)"', tag).group(1)
            found.append((kind, re.search(r'id="([^"]+)"', tag).group(1)))
    return found


def assert_checkboxes(html: str, name: str, at_least: int = 2):
    boxes = inputs(html, name)
    assert len(boxes) >= at_least, boxes
    assert {kind for kind, _ in boxes} == {"checkbox"}, boxes
    assert 'class="nhsuk-checkboxes nhsuk-checkboxes--small" data-module="nhsuk-checkboxes"' in html
    # Each box has its own label.
    for _, box_id in boxes:
        assert f'for="{box_id}"' in html


@pytest.fixture
def second_ward(organisation, ward):
    with scopes_disabled():
        return factories.WardFactory(organisation=organisation, site=ward.site, name="Oak Ward")


def test_a_multiple_select_of_any_kind_renders_as_checkboxes_and_radios_stay_radios():
    class Form(forms.Form):
        one = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
        many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B")])  # a <select multiple>
        boxes = forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
        )

    html = str(Form(initial={"many": ["a", "b"], "boxes": ["b"]}))
    assert inputs(html, "one") == [("radio", "id_one_0"), ("radio", "id_one_1")]
    assert 'data-module="nhsuk-radios"' in html
    assert inputs(html, "many") == [("checkbox", "id_many_0"), ("checkbox", "id_many_1")]
    assert "<select" not in html
    assert re.search(r'id="id_many_0"[^>]*checked', html)
    assert re.search(r'id="id_many_1"[^>]*checked', html)
    assert not re.search(r'id="id_boxes_0"[^>]*checked', html)
    assert re.search(r'id="id_boxes_1"[^>]*checked', html)


def test_a_multiple_choice_error_links_to_its_first_box():
    form = PulseForm({"score": "3", "tags": ["not-a-tag"]})
    assert not form.is_valid()
    from django.template.loader import render_to_string

    html = render_to_string("includes/_error_summary.html", {"form": form}) + str(form)
    assert 'href="#id_tags_0"' in html
    assert 'id="id_tags_0"' in html
    assert 'aria-describedby="id_tags-error"' in html


def test_the_pulse_check_in_offers_tags_as_checkboxes_and_keeps_two(client_for, bob):
    client = client_for(bob)
    html = client.get(f"{ORG}/pulse/").content.decode()
    assert_checkboxes(html, "tags")
    assert inputs(html, "score")[0][0] == "radio"

    response = client.post(f"{ORG}/pulse/", {"score": "4", "tags": ["staffing", "teamwork"]})
    assert response.status_code == 302
    with scopes_disabled():
        assert sorted(PulseCheckIn.objects.get().tags) == ["staffing", "teamwork"]


def test_a_team_covers_two_wards_chosen_with_checkboxes(client_for, lena, ward, second_ward):
    client = client_for(lena)
    html = client.get(f"{ORG}/teams/new/").content.decode()
    assert_checkboxes(html, "wards")

    response = client.post(
        f"{ORG}/teams/new/",
        {"name": "Flow", "purpose": "", "member_emails": "", "wards": [ward.pk, second_ward.pk]},
    )
    assert response.status_code == 302
    with scopes_disabled():
        team = Team.objects.get(name="Flow")
        assert set(team.wards.all()) == {ward, second_ward}
    # Shown ticked when edited, and one can be unticked.
    html = client.get(f"{ORG}/teams/{team.pk}/edit/").content.decode()
    assert html.count("checked") >= 2
    client.post(
        f"{ORG}/teams/{team.pk}/edit/",
        {"name": "Flow", "purpose": "", "member_emails": "", "wards": [ward.pk]},
    )
    with scopes_disabled():
        assert list(team.wards.all()) == [ward]


def test_a_project_covers_two_wards_chosen_with_checkboxes(
    client_for, lena, team, ward, second_ward
):
    client = client_for(lena)
    html = client.get(f"{ORG}/projects/new/").content.decode()
    assert_checkboxes(html, "wards")

    response = client.post(
        f"{ORG}/projects/new/",
        {
            "title": "Faster discharge",
            "aim": "Discharge 40% of patients before noon by March.",
            "team": team.pk,
            "wards": [ward.pk, second_ward.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        project = Project.objects.get(title="Faster discharge")
        assert set(project.wards.all()) == set(
            Ward.objects.filter(pk__in=[ward.pk, second_ward.pk])
        )
