"""Measure values are bounded where they come in, and old extreme rows still chart."""

from datetime import date, timedelta

import pytest
from django_scopes import scopes_disabled

from projects.models import MeasurePoint
from tests.teamwork import ORG, page


def measure_url(measure):
    return f"{ORG}/projects/{measure.project_id}/measures/{measure.pk}/"


@pytest.mark.parametrize("value", ["1e308", "-1e308", "inf", "nan", "1e13"])
def test_an_extreme_value_gets_a_field_error_and_is_not_saved(client_for, tess, measure, value):
    client = client_for(tess)
    response = client.post(
        measure_url(measure), {"action": "point", "date": "2026-03-01", "value": value}
    )
    assert response.status_code == 400
    paste = {"action": "paste", "data": f"2026-03-01, {value}"}
    assert client.post(measure_url(measure), paste).status_code == 400
    with scopes_disabled():
        assert not MeasurePoint.objects.filter(measure=measure).exists()
    assert client.get(measure_url(measure)).status_code == 200


def test_the_largest_allowed_value_is_saved(client_for, tess, measure):
    response = client_for(tess).post(
        measure_url(measure), {"action": "point", "date": "2026-03-01", "value": "-1e12"}
    )
    assert response.status_code == 302


def test_a_measure_page_with_old_extreme_rows_still_renders(client_for, tess, measure):
    with scopes_disabled():
        for offset, value in enumerate([1e308, -1e308, 4, 5, 6] * 3):
            MeasurePoint.objects.create(
                organisation=measure.organisation,
                measure=measure,
                date=date(2026, 1, 1) + timedelta(days=offset),
                value=value,
            )
    assert client_for(tess).get(measure_url(measure)).status_code == 200


def test_old_extreme_rows_are_listed_but_not_counted_towards_the_spc_chart(
    client_for, tess, measure
):
    with scopes_disabled():
        for offset, value in enumerate([1e308, *range(11)]):
            MeasurePoint.objects.create(
                organisation=measure.organisation,
                measure=measure,
                date=date(2026, 1, 1) + timedelta(days=offset),
                value=value,
            )
    response = client_for(tess).get(measure_url(measure))
    text = page(response)
    assert len(response.context["points"]) == 12  # listed, so they can be removed
    assert "1 value outside ±1,000,000,000,000 is left out of the charts." in text
    assert "Trial limits: from 11 points." in text  # not 12: the extreme row is left out
