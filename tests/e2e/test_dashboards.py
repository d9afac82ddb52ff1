"""A QI lead reads the engagement dashboards: date range, sorting, CSV download, drill-down."""

import csv
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

PASSWORD = "improvewell-demo"
LEAD = "lead@demo-trust.nhs.uk"
DEMO_WARDS = 12
TILE_HEADINGS = [
    "Ideas shared",
    "Taking part (30 days)",
    "Answered within target",
    "Implemented",
    # Pulse is published by whole month: "Pulse mean, October 2026".
    re.compile(r"^Pulse mean(, [A-Z][a-z]+ \d{4})?$"),
]


def sign_in_as_lead(live_server, page):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(LEAD)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/demo-trust/$"))


def heading(page):
    return page.get_by_role("heading", level=1)


def long_date(day):
    """Django's "j F Y": the day without a leading zero, e.g. "1 October 2026"."""
    return f"{day.day} {day:%B %Y}"


def open_overview(live_server, page, settings):
    # QI lead pages require two-factor authentication; the live server thread reads
    # django.conf.settings on each request, so turning it off here reaches it.
    settings.REQUIRE_MFA = False
    call_command("seed_demo", verbosity=0)
    sign_in_as_lead(live_server, page)
    page.goto(live_server.url + "/demo-trust/dashboards/")
    expect(heading(page)).to_have_text("Engagement")


def test_lead_filters_engagement_by_dates_and_downloads_the_ward_table(
    live_server, page, settings, transactional_db, tmp_path, assert_no_axe_violations
):
    open_overview(live_server, page, settings)
    tiles = page.locator(".iw-tiles")
    for name in TILE_HEADINGS:
        exact = None if isinstance(name, re.Pattern) else True
        expect(tiles.get_by_role("heading", name=name, exact=exact)).to_be_visible()
    expect(page.get_by_role("table", name=re.compile(r"^Funnel"))).to_be_visible()
    assert_no_axe_violations(page)

    # 1. Choose a date range: 60 to 30 days ago.
    today = timezone.localdate()
    start, end = today - timedelta(days=60), today - timedelta(days=30)
    page.get_by_label("From (optional)", exact=True).fill(start.isoformat())
    page.get_by_label("To (optional)", exact=True).fill(end.isoformat())
    page.get_by_role("button", name="Show these dates", exact=True).click()
    expect(page).to_have_url(re.compile(rf"[?&]start={start.isoformat()}(&|$)"))
    expect(page).to_have_url(re.compile(rf"[?&]end={end.isoformat()}(&|$)"))
    expect(heading(page)).to_have_text("Engagement")
    expect(
        page.get_by_text(f"Showing {long_date(start)} to {long_date(end)}", exact=False)
    ).to_be_visible()
    expect(page.get_by_label("From (optional)", exact=True)).to_have_value(start.isoformat())
    expect(page.get_by_label("To (optional)", exact=True)).to_have_value(end.isoformat())
    assert_no_axe_violations(page)

    # 2. Sort the ward table by ideas; the range is kept.
    wards = page.get_by_role("table", name="Wards", exact=True)
    wards.get_by_role("link", name="Ideas", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]sort=ideas(&|$)"))
    expect(page).to_have_url(re.compile(rf"[?&]start={start.isoformat()}(&|$)"))
    expect(wards.get_by_role("columnheader", name="Ideas", exact=True)).to_have_attribute(
        "aria-sort", "descending"
    )

    # 3. Download the ward table as CSV.
    download_link = page.get_by_role("link", name="Download this table (CSV)", exact=True)
    expect(download_link).to_have_attribute("download", "")
    expect(download_link).to_have_attribute("href", re.compile(r"format=csv"))
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".csv"), download.suggested_filename
    saved = tmp_path / "wards.csv"
    download.save_as(saved)
    with Path(saved).open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
        header = reader.fieldnames
    assert "Ward" in header and "Ideas" in header, header
    assert len(rows) == DEMO_WARDS, [row["Ward"] for row in rows]
    assert any("fewer than 11" in value for row in rows for value in row.values()), rows

    # 4. Drill down into one ward, keeping the range.
    ward_link = wards.locator("tbody tr").first.get_by_role("link").first
    ward_name = ward_link.inner_text().strip()
    ward_link.click()
    expect(page).to_have_url(re.compile(r"/demo-trust/dashboards/wards/\d+/\?"))
    expect(page).to_have_url(re.compile(rf"[?&]start={start.isoformat()}(&|$)"))
    expect(heading(page)).to_have_text(ward_name)
    expect(
        page.get_by_text(f"Showing {long_date(start)} to {long_date(end)}", exact=False)
    ).to_be_visible()
    # The busiest ward's staff groups, small numbers hidden.
    expect(page.get_by_role("heading", name="Who takes part", exact=True)).to_be_visible()
    expect(page.get_by_role("table", name="Ideas by staff group", exact=True)).to_be_visible()
    assert_no_axe_violations(page)

    # 5. Who takes part.
    page.goto(live_server.url + "/demo-trust/dashboards/who-takes-part/")
    expect(heading(page)).to_have_text("Who takes part")
    expect(page.get_by_role("table", name="Ideas by staff group", exact=True)).to_be_visible()
    by_ward = page.get_by_role("table", name="Ideas by ward and staff group", exact=True)
    expect(by_ward.locator("tbody tr")).to_have_count(DEMO_WARDS)
    expect(by_ward.get_by_text("fewer than 11").first).to_be_visible()
    assert_no_axe_violations(page)

    # 6. Engagement as SPC charts.
    page.goto(live_server.url + "/demo-trust/dashboards/spc/")
    expect(heading(page)).to_have_text("Engagement as SPC charts")
    expect(page.locator("svg[role=img]").first).to_be_visible()
    assert page.locator("svg[role=img]").count() >= 1
    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 812}])
def test_engagement_overview_on_a_phone_is_accessible_and_does_not_scroll_sideways(
    live_server, page, settings, transactional_db, assert_no_axe_violations
):
    open_overview(live_server, page, settings)
    expect(page.get_by_role("table", name="Wards", exact=True)).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_no_axe_violations(page)

    # The wide ward-by-staff-group table scrolls inside its own region, not the page.
    page.goto(live_server.url + "/demo-trust/dashboards/who-takes-part/")
    region = page.get_by_role("region", name="Ideas by ward and staff group")
    expect(region).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert_no_axe_violations(page)
