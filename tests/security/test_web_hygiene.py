"""Redirects stay on the site, CSV cells never run as formulas, private pages are not cached."""

import csv
import io

import pytest
from django_scopes import scopes_disabled

from tests.dashboards.test_dashboards import facts_for
from tests.factories import WardFactory

ORG = "/city-hospitals"
OFF_SITE = [
    "https://evil.example/x",
    "//evil.example/x",
    "/\\evil.example/x",
    "\\\\evil.example/x",
    "javascript:alert(1)",
    "http://testserver@evil.example/",
    "-332893",
    "ideas:board",
]


def _next_views(share, bob, lena):
    """Every view that reads `next`, as (client user, path, extra POST data, default)."""
    idea = share(bob)
    detail = f"{ORG}/ideas/{idea.pk}/"
    return [
        (bob, f"{ORG}/ideas/{idea.pk}/support/", {}, detail),
        (lena, f"{ORG}/triage/{idea.pk}/status/", {"to_status": "under_review"}, f"{ORG}/triage/"),
    ]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_leads_off_site(client_for, share, bob, lena, target):
    for user, path, data, default in _next_views(share, bob, lena):
        response = client_for(user).post(path, {**data, "next": target})
        assert response.status_code == 302, path
        assert response.url == default, f"{path} followed next={target}"


def test_next_on_this_site_is_followed(client_for, share, bob, lena):
    for user, path, data, _ in _next_views(share, bob, lena):
        response = client_for(user).post(path, {**data, "next": f"{ORG}/ideas/"})
        assert response.url == f"{ORG}/ideas/"


FORMULAS = ['=HYPERLINK("https://evil.example","Click")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"]


def test_csv_cells_never_start_a_formula(client_for, lena, organisation, ward):
    with scopes_disabled():
        wards = [WardFactory(organisation=organisation, name=name) for name in FORMULAS]
        for number, w in enumerate(wards):
            w.site.name = f"=cmd|' /C calc'!A{number}"
            w.site.save()
    facts_for(organisation, wards, contributors=[20] * 5, pulses=[20] * 5)
    response = client_for(lena).get(f"{ORG}/dashboards/", {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    quoted = {"'" + name for name in FORMULAS}
    assert quoted <= {row["Ward"] for row in rows}
    assert all(row["Site"].startswith("'=") for row in rows if row["Ward"] in quoted)
    # Numbers stay numbers: nothing else is quoted.
    assert all(not row["Ideas"].startswith("'") for row in rows)


def test_site_and_staff_group_csvs_are_neutralised_too(client_for, lena, organisation):
    with scopes_disabled():
        ward = WardFactory(organisation=organisation, name="=HYPERLINK(1)")
    for path, params in [
        (f"{ORG}/dashboards/sites/{ward.site_id}/", {"format": "csv", "table": "wards"}),
        (f"{ORG}/dashboards/sites/{ward.site_id}/", {"format": "csv", "table": "staff-groups"}),
        (f"{ORG}/dashboards/who-takes-part/", {"format": "csv", "table": "wards"}),
    ]:
        response = client_for(lena).get(path, params)
        assert response.status_code == 200, path
        body = response.content.decode()
        assert "=HYPERLINK(1)" in body, path
        assert "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body, path


def test_pages_and_csv_downloads_are_not_kept_in_any_cache(client_for, lena):
    client = client_for(lena)
    for path, params in [
        (f"{ORG}/ideas/", {}),
        (f"{ORG}/dashboards/", {"format": "csv"}),
        ("/account/", {}),
    ]:
        response = client.get(path, params)
        assert response.status_code == 200, path
        cache_control = response.get("Cache-Control", "")
        assert "private" in cache_control and "no-store" in cache_control, path


def test_health_checks_and_the_public_front_page_keep_their_caching(client, client_for, lena):
    assert "private" not in client.get("/").get("Cache-Control", "")
    # /healthz sets its own never-cache header; being signed in changes nothing.
    signed_in = client_for(lena).get("/healthz")
    assert signed_in["Cache-Control"] == client.get("/healthz")["Cache-Control"]
