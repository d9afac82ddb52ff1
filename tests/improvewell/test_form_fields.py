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


def test_a_multiple_choice_error_links_to_its_first_box(organisation):
    with scopes_disabled():
        form = PulseForm({"score": "3", "tags": ["not-a-tag"]}, organisation=organisation)
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


# Character counts: a field with a limit warns as someone types or pastes, and the server
# refuses a longer text with a field error while keeping every character of it.


def counted_fields(html: str) -> dict[str, str]:
    """{field id: limit} of every NHS.UK character count on the page."""
    counts = re.findall(
        r'data-module="nhsuk-character-count" data-maxlength="(\d+)">'
        r'.*?<(?:textarea|input)[^>]*\bid="([^"]+)"',
        html,
        flags=re.S,
    )
    return {field_id: limit for limit, field_id in counts}


def assert_no_maxlength_on_counted_fields(html: str):
    for tag in re.findall(r"<(?:textarea|input)[^>]*nhsuk-js-character-count[^>]*>", html):
        assert "maxlength" not in tag, tag


@pytest.mark.parametrize(
    "url, expected",
    [
        (f"{ORG}/ideas/new/", {"id_title": "120", "id_description": "5000"}),
        (f"{ORG}/projects/new/", {"id_title": "160", "id_aim": "1000"}),
        (f"{ORG}/teams/new/", {"id_name": "120", "id_purpose": "2000"}),
    ],
)
def test_fields_with_a_limit_have_a_counter_and_no_maxlength(client_for, lena, team, url, expected):
    html = client_for(lena).get(url).content.decode()
    counted = counted_fields(html)
    assert expected.items() <= counted.items(), counted
    assert_no_maxlength_on_counted_fields(html)
    for field_id, limit in expected.items():
        assert (
            f'<div class="nhsuk-hint nhsuk-character-count__message" id="{field_id}-info">' in html
        )
        assert f"You can enter up to {int(limit):,} characters" in html
        assert re.search(rf'aria-describedby="[^"]*{field_id}-info"[^>]*id="{field_id}"', html)


def test_short_fields_and_search_boxes_have_no_counter(client_for, alice):
    html = client_for(alice).get(f"{ORG}/manage/staff/").content.decode()
    assert "nhsuk-character-count" not in html


def test_an_over_long_description_is_refused_and_kept(client_for, bob, ward, categories):
    from tests.ideas.test_submit import NEW, form_data

    pasted = "Night rounds take too long. " * 200  # 5,600 characters
    response = client_for(bob).post(NEW, form_data(categories, ward, description=pasted))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Description must be 5000 characters or fewer." in html
    assert 'href="#id_description"' in html
    assert pasted.strip() in html  # every character is still there to shorten
    assert_no_maxlength_on_counted_fields(html)


def test_an_over_long_comment_is_refused_and_kept(client_for, bob, lena, share):
    idea = share(lena)
    pasted = "x" * 2001
    response = client_for(bob).post(f"{ORG}/ideas/{idea.pk}/comments/", {"body": pasted})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Comments must be 2000 characters or fewer." in html
    assert pasted in html
    assert counted_fields(html)["id_body"] == "2000"


def test_an_over_long_project_aim_is_refused_and_kept(client_for, lena, team):
    aim = "Reduce falls. " * 80  # 1,120 characters
    response = client_for(lena).post(
        f"{ORG}/projects/new/", {"title": "Fewer falls", "aim": aim, "team": team.pk}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "id_aim-error" in html
    assert aim.strip() in html
