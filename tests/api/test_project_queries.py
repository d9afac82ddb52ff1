"""Each project list endpoint runs the same number of queries for 1 row as for many."""

from datetime import date, timedelta

from django_scopes import scopes_disabled

from projects.models import DriverNode, MeasurePoint, PDSACycle
from tests.factories import MeasureFactory, ProjectFactory, WardFactory

START = date(2026, 1, 5)


def _rows(organisation, project, team, bob_idea, n, offset):
    """n more of everything each list shows: projects (with wards and ideas), boxes of
    the driver diagram, measures with points, PDSA cycles."""
    with scopes_disabled():
        for i in range(n):
            other = ProjectFactory(organisation=organisation, team=team)
            other.wards.add(WardFactory(organisation=organisation))
            other.ideas.add(bob_idea)
            parent = DriverNode.objects.create(
                organisation=organisation, project=project, level="primary", text=f"P{i}"
            )
            DriverNode.objects.create(
                organisation=organisation,
                project=project,
                parent=parent,
                level="secondary",
                text=f"S{i}",
            )
            measure = MeasureFactory(project=project)
            MeasurePoint.objects.create(
                organisation=organisation, measure=measure, date=START, value=i
            )
            PDSACycle.objects.create(
                organisation=organisation,
                project=project,
                number=offset + i,
                change=f"Change {i}",
                prediction="Better",
                start_date=START,
            )


def test_project_lists_run_a_fixed_number_of_queries(
    api_for, bob, organisation, project, team, share, django_assert_max_num_queries
):
    idea = share(bob)
    with scopes_disabled():
        measure = MeasureFactory(project=project)
        for week in range(3):
            MeasurePoint.objects.create(
                organisation=organisation,
                measure=measure,
                date=START + timedelta(weeks=week),
                value=week,
            )
    _rows(organisation, project, team, idea, 1, offset=1)
    client = api_for(bob)
    base = f"/api/v1/{organisation.slug}/projects/"
    paths = [
        base,
        f"{base}?stage=scoping",
        f"{base}{project.pk}/",
        f"{base}{project.pk}/driver-diagram/",
        f"{base}{project.pk}/measures/",
        f"{base}{project.pk}/measures/{measure.pk}/",
        f"{base}{project.pk}/pdsa/",
    ]
    counts = {}
    for path in paths:
        with django_assert_max_num_queries(15) as few:
            assert client.get(path).status_code == 200
        counts[path] = len(few.captured_queries)
    _rows(organisation, project, team, idea, 20, offset=2)
    with scopes_disabled():
        for week in range(3, 40):
            MeasurePoint.objects.create(
                organisation=organisation,
                measure=measure,
                date=START + timedelta(weeks=week),
                value=week % 7,
            )
    for path in paths:
        with django_assert_max_num_queries(counts[path]):
            response = client.get(path)
            assert response.status_code == 200
    assert len(client.get(base + "?page_size=100").json()["results"]) == 22
    assert len(client.get(f"{base}{project.pk}/pdsa/").json()) == 21
