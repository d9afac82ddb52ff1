"""The project and measure pages: one page on every path, and a fixed number of queries."""

from datetime import date, timedelta

from django_scopes import scopes_disabled

from projects import chart_services
from projects import services as project_services
from projects.models import MeasurePoint, ProjectUpdate
from tests import factories
from tests.teamwork import ORG, page

START = date(2026, 1, 5)  # a Monday


def project_url(project, rest=""):
    return f"{ORG}/projects/{project.pk}/{rest}"


def measure_url(measure):
    return f"{ORG}/projects/{measure.project_id}/measures/{measure.pk}/"


def weekly(values, start=START):
    return [(start + timedelta(weeks=i), float(v)) for i, v in enumerate(values)]


# One page on every path -------------------------------------------------------------------


def test_an_update_is_posted_to_the_project_page(client_for, alice, bob, project):
    response = client_for(alice).post(
        project_url(project, "updates/"), {"text": "  Board round moved to eight.  "}
    )
    assert response.status_code == 302
    assert response["Location"] == project_url(project) + "#updates"
    with scopes_disabled():
        assert list(ProjectUpdate.objects.values_list("text", flat=True)) == [
            "Board round moved to eight."
        ]
    assert "Board round moved to eight." in page(client_for(bob).get(project_url(project)))


def test_a_form_sent_back_with_errors_comes_on_the_whole_project_page(
    client_for, alice, project, measure
):
    client = client_for(alice)
    client.get(project_url(project))  # the header is kept from here on: compare like with like
    read = client.get(project_url(project))
    blank_update = client.post(project_url(project, "updates/"), {"text": " "})
    orphan_driver = client.post(
        project_url(project, "drivers/"), {"level": "secondary", "text": "Senior review"}
    )
    assert blank_update.status_code == orphan_driver.status_code == 400
    assert blank_update.context["update_form"].errors["text"] == ["Write the update."]
    assert orphan_driver.context["node_form"].errors["parent"]
    with scopes_disabled():
        assert not ProjectUpdate.objects.exists()
    for response in (blank_update, orphan_driver):
        # Everything the page reads, whichever form came back.
        assert read.context.keys() <= response.context.keys()
        text = page(response)
        assert f"<title>Error: {project.title}" in text
        assert f'action="{project_url(project, "updates/")}"' in text
        assert f'action="{project_url(project, "drivers/")}"' in text
        assert '<h2 id="audit">Audit trail</h2>' in text
        assert measure.name in text


# Query counts ----------------------------------------------------------------------------


def test_the_project_page_runs_a_fixed_number_of_queries(
    client_for, alice, bob, organisation, ward, share, project, as_member,
    django_assert_max_num_queries,
):  # fmt: skip
    client = client_for(alice)

    def grow(n, tag):
        for i in range(n):
            idea = share(bob, title=f"Idea {tag}{i}")
            as_member(alice, project_services.project_link_idea, project=project, idea=idea)
            primary = as_member(
                alice,
                project_services.driver_node_add,
                project=project,
                level="primary",
                text=f"P{tag}{i}",
            )
            secondary = as_member(
                alice,
                project_services.driver_node_add,
                project=project,
                level="secondary",
                text=f"S{tag}{i}",
                parent=primary,
            )
            as_member(
                alice,
                project_services.driver_node_add,
                project=project,
                level="change",
                text="",
                idea=idea,
                parent=secondary,
            )
            measure = as_member(
                alice, project_services.measure_save, project=project, name=f"M{tag}{i}", unit="%"
            )
            as_member(
                alice,
                project_services.measure_points_add,
                measure=measure,
                points=[(date(2026, 1, d), float(d)) for d in range(1, 4)],
            )
            as_member(
                alice,
                chart_services.change_point_add,
                measure=measure,
                date=date(2026, 1, 2),
                label=f"Change {tag}{i}",
            )
            as_member(
                alice,
                project_services.pdsa_save,
                project=project,
                change=f"Change {tag}{i}",
                prediction="Better",
                start_date=date(2026, 1, 1),
            )
        with scopes_disabled():
            project.wards.add(factories.WardFactory(organisation=organisation))

    grow(1, "a")
    with django_assert_max_num_queries(40) as few:
        assert client.get(project_url(project)).status_code == 200
    grow(8, "b")  # 16 ideas would pass the hourly limit for one person: 9 in all
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(project_url(project))
    text = page(response)
    assert text.count('<p class="iw-tree__level">Change idea</p>') == 9
    assert text.count("3 data points") == 9
    assert text.count('<li class="iw-measures__item">') == 9
    assert text.count('<figure class="iw-chart iw-chart--xmr"') == 9  # each measure's chart
    assert "PDSA 9: Change b7" in text


def test_the_measure_page_runs_a_fixed_number_of_queries(
    client_for, alice, project, measure, as_member, django_assert_max_num_queries
):
    client = client_for(alice)

    def grow(values, start, cycles):
        as_member(
            alice,
            project_services.measure_points_add,
            measure=measure,
            points=weekly(values, start),
        )
        for week in cycles:
            cycle = as_member(
                alice,
                project_services.pdsa_save,
                project=project,
                change=f"Change {week}",
                prediction="Better",
                start_date=START + timedelta(weeks=week),
            )
            # Each cycle starts a phase, and the point of its week has a note.
            as_member(
                alice,
                chart_services.change_point_add,
                measure=measure,
                date=cycle.start_date,
                label="",
                cycle=cycle,
            )
            with scopes_disabled():
                point = MeasurePoint.objects.select_related("measure__project").get(
                    measure=measure, date=cycle.start_date
                )
            as_member(alice, chart_services.point_note_set, point=point, note=f"Note {week}")

    grow(range(40, 52), START, [2])  # 12 points: the run chart and the XmR chart
    with django_assert_max_num_queries(30) as few:
        text = page(client.get(measure_url(measure)))
    assert "SPC chart (XmR)" in text
    grow(range(52, 82), START + timedelta(weeks=12), [5, 9, 20, 30])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(measure_url(measure))
    text = page(response)
    assert len(response.context["points"]) == 42
    assert text.count(">PDSA 5</text>") >= 2  # on both charts
    assert "Note 30" in text
    assert len(response.context["changes"]) == 5
