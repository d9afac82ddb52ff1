"""The driver diagram: each box says its level, and a box is changed in place (htmx) or on a
page of its own without JavaScript."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from audit.models import AuditEvent
from projects import driver_services
from projects import services as project_services
from projects.models import DriverNode
from tests.teamwork import ORG, page

HTMX = {"HTTP_HX_REQUEST": "true"}


def project_url(project, rest=""):
    return f"{ORG}/projects/{project.pk}/{rest}"


def text_of(node):
    with scopes_disabled():
        return DriverNode.objects.get(pk=node.pk).text


@pytest.fixture
def diagram(as_member, alice, project):
    def add(level, text, parent=None):
        return as_member(
            alice,
            project_services.driver_node_add,
            project=project,
            level=level,
            text=text,
            parent=parent,
        )

    primary = add("primary", "Equipment ready")
    secondary = add("secondary", "Trolleys stocked before the round", primary)
    change = add("change", "Second trolley on nights", secondary)
    return primary, secondary, change


def test_each_box_says_its_level_in_words(client_for, bob, project, diagram):
    text = page(client_for(bob).get(project_url(project)))
    for level in ("Aim", "Primary driver", "Secondary driver", "Change idea"):
        assert f'<p class="iw-tree__level">{level}</p>' in text
    assert 'class="iw-tree__list"' in text  # one nested list: aim, drivers, change ideas
    assert "Change<span" not in text  # staff read it, with nothing to change


def test_a_box_is_changed_in_place_with_htmx(client_for, alice, project, diagram):
    _, secondary, _ = diagram
    client = client_for(alice)
    url = project_url(project, f"drivers/{secondary.pk}/edit/")
    form = client.get(url, **HTMX)
    assert form.status_code == 200
    text = page(form)
    assert "<html" not in text
    assert f'id="driver-{secondary.pk}"' in text
    assert 'hx-post="' in text
    assert "What this secondary driver says" in text
    saved = client.post(url, {f"node-{secondary.pk}-text": "Trolleys stocked by pharmacy"}, **HTMX)
    assert saved.status_code == 200
    text = page(saved)
    assert "<html" not in text
    assert "Trolleys stocked by pharmacy" in text
    assert '<p class="iw-tree__level">Secondary driver</p>' in text
    assert text_of(secondary) == "Trolleys stocked by pharmacy"
    with scopes_disabled():
        assert (
            AuditEvent.objects.filter(project=project).latest("id").action
            == "changed a box of the driver diagram"
        )


def test_an_empty_box_gets_its_error_in_place(client_for, alice, project, diagram):
    primary, _, _ = diagram
    url = project_url(project, f"drivers/{primary.pk}/edit/")
    response = client_for(alice).post(url, {f"node-{primary.pk}-text": "  "}, **HTMX)
    assert response.status_code == 200  # htmx swaps 2xx only: the error must arrive
    assert "Write what this box says." in page(response)
    assert text_of(primary) == "Equipment ready"


def test_cancel_brings_the_box_back(client_for, alice, project, diagram):
    primary, _, _ = diagram
    url = project_url(project, f"drivers/{primary.pk}/edit/?cancel=1")
    text = page(client_for(alice).get(url, **HTMX))
    assert "Equipment ready" in text
    assert "<form" not in text


def test_without_javascript_a_box_is_changed_on_a_page_of_its_own(
    client_for, alice, project, diagram
):
    _, _, change = diagram
    client = client_for(alice)
    url = project_url(project, f"drivers/{change.pk}/edit/")
    text = page(client.get(url))
    assert "<h1>Change the change idea</h1>" in text
    bad = client.post(url, {f"node-{change.pk}-text": "x" * 301})
    assert bad.status_code == 400
    assert "There is a problem" in page(bad)
    done = client.post(url, {f"node-{change.pk}-text": "Do not disturb tabards"})
    assert done.status_code == 302
    assert done["Location"].endswith(f"#driver-{change.pk}")
    assert text_of(change) == "Do not disturb tabards"


def test_only_a_change_idea_is_a_staff_idea_when_changed(
    postgresql, as_member, alice, bob, share, project, diagram
):
    primary, _, change = diagram
    idea = share(bob, title="A second drug trolley")
    as_member(alice, project_services.project_link_idea, project=project, idea=idea)
    with pytest.raises(ValidationError):
        as_member(alice, driver_services.driver_node_update, node=primary, text="", idea=idea)
    node = as_member(alice, driver_services.driver_node_update, node=change, text="", idea=idea)
    assert (node.text, node.idea_id) == ("A second drug trolley", idea.pk)


def test_staff_cannot_change_a_box(client_for, bob, project, diagram):
    primary, _, _ = diagram
    url = project_url(project, f"drivers/{primary.pk}/edit/")
    assert client_for(bob).post(url, {f"node-{primary.pk}-text": "Mine"}).status_code in (403, 404)
    assert text_of(primary) == "Equipment ready"
