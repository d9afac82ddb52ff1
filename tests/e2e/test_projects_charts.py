"""A QI lead works on the demo's drug round project: each measure's chart on the project
page, a driver box changed in place, a change point that splits a chart into two phases,
a note on a point; and the pages fit a 320-pixel phone."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

PASSWORD = "improvewell-demo"
LEAD = "lead@demo-trust.nhs.uk"
STAFF = "staff@demo-trust.nhs.uk"
PROJECT = "Shorter night drug rounds on the AMU"
MEASURES = [
    "Night drug round duration",
    "Night doses given on time",
    "Omitted night doses",
    "Medication incidents at night",
]


def sign_in(live_server, page, email=LEAD):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/demo-trust/$"))


def open_project(live_server, page):
    page.goto(live_server.url + "/demo-trust/projects/")
    page.get_by_role("link", name=PROJECT, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT)
    return page.url


def no_sideways_scroll(page, width):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} scrolls sideways: {scroll}px at {width}px"


@pytest.fixture
def demo(settings, transactional_db):
    settings.REQUIRE_MFA = False
    call_command("seed_demo", verbosity=0)


def test_the_project_page_charts_each_measure_and_a_box_changes_in_place(
    live_server, page, demo, assert_no_axe_violations
):
    sign_in(live_server, page)
    open_project(live_server, page)

    cards = page.locator(".iw-measures__item")
    expect(cards).to_have_count(len(MEASURES))
    for name in MEASURES:
        card = cards.filter(has=page.get_by_role("heading", name=name, exact=True))
        # A card is narrow: it shows the chart's narrow layout, whose text stays readable.
        expect(card.locator("svg.iw-chart__svg--narrow")).to_be_visible()
        expect(card.locator("svg.iw-chart__svg--wide")).to_be_hidden()
        expect(card.get_by_role("link", name=name, exact=True)).to_have_attribute(
            "href", re.compile(r"/measures/\d+/$")
        )
    assert_no_axe_violations(page)

    # Each box says its level; "Change" edits it in place, without a reload.
    diagram = page.locator(".iw-tree")
    for level in ("Aim", "Primary driver", "Secondary driver", "Change idea"):
        expect(diagram.get_by_text(level, exact=True).first).to_be_visible()
    page.evaluate("window.__noReload = true")
    diagram.get_by_role("link", name="Change the primary driver “Equipment ready”").click()
    field = diagram.get_by_label("What this primary driver says", exact=True)
    expect(field).to_be_focused()
    field.fill("Equipment ready before 22:00")
    diagram.get_by_role("button", name="Save the primary driver").click()
    box = diagram.locator(".iw-tree__box--primary").filter(has_text="Equipment ready before 22:00")
    expect(box).to_be_visible()
    expect(box.get_by_role("status")).to_have_text("Saved")
    expect(box.get_by_text("Primary driver", exact=True)).to_be_visible()
    assert page.evaluate("window.__noReload === true"), "the page was reloaded"
    assert_no_axe_violations(page)

    page.reload()
    expect(page.locator(".iw-tree")).to_contain_text("Equipment ready before 22:00")


def test_a_lead_marks_a_change_and_annotates_a_point(
    live_server, page, demo, assert_no_axe_violations
):
    sign_in(live_server, page)
    open_project(live_server, page)
    page.get_by_role("link", name="Medication incidents at night", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Medication incidents at night")
    expect(page.get_by_role("heading", name="SPC chart (c-chart)")).to_be_visible()
    spc = page.locator("#spc ~ .iw-chart").first
    expect(spc.get_by_text("Tabards", exact=True)).to_have_count(0)

    # A change point: the chart is split into two phases, labelled.
    page.get_by_text("Mark a change in the process", exact=True).click()
    dates = page.locator("#data table tbody tr td:first-child")
    page.get_by_label("Date of the change", exact=True).fill(
        page.evaluate(
            "() => { const d = new Date(); d.setDate(d.getDate() - 7 * 6);"
            " return d.toISOString().slice(0, 10); }"
        )
    )
    page.get_by_label(re.compile(r"^Label")).fill("Tabards")
    page.get_by_role("button", name="Mark the change", exact=True).click()
    expect(page).to_have_url(re.compile(r"#phases$"))
    expect(page.locator("#phases + ul")).to_contain_text("Tabards")
    expect(page.locator("#phases + ul")).to_contain_text("A new phase, with its own limits")
    spc = page.locator("#spc ~ .iw-chart").first
    expect(spc.locator("svg").first.get_by_text("Tabards").first).to_be_attached()
    assert_no_axe_violations(page)

    # A note on a point: in the table and on the chart.
    page.get_by_text("The data as a table, with notes", exact=True).click()
    expect(dates.first).to_be_visible()
    page.locator("#data").get_by_role("link", name=re.compile(r"^Add a note")).nth(2).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add a note to")
    page.get_by_label(re.compile(r"^Note")).fill("Bank holiday: half the usual staff")
    page.get_by_role("button", name="Save the note", exact=True).click()
    expect(page).to_have_url(re.compile(r"#data$"))
    page.get_by_text("The data as a table, with notes", exact=True).click()
    expect(page.locator("#data table")).to_contain_text("Bank holiday: half the usual staff")
    expect(page.locator("#spc ~ .iw-chart").first).to_contain_text(
        "Bank holiday: half the usual staff"
    )
    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [{"width": 320, "height": 640}])
def test_project_and_measure_pages_fit_a_320_pixel_phone(
    live_server, browser, page, viewport, demo, assert_no_axe_violations
):
    # The project page as staff read it: the lead's also has the audit trail's table,
    # which the shared audit template lays out (not this page).
    staff = browser.new_context(viewport=viewport).new_page()
    sign_in(live_server, staff, STAFF)
    open_project(live_server, staff)
    no_sideways_scroll(staff, 320)
    assert_no_axe_violations(staff)
    staff.context.close()

    sign_in(live_server, page)
    open_project(live_server, page)
    for part in (".iw-tree", ".iw-measures"):
        box = page.locator(part).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320, part
    # The diagram is an indented tree: each level further right, all inside the page.
    primary = page.locator(".iw-tree__box--primary").first.bounding_box()
    change = page.locator(".iw-tree__box--change").first.bounding_box()
    assert change["x"] > primary["x"]
    assert change["x"] + change["width"] <= 320
    for name in MEASURES:
        open_project(live_server, page)
        page.get_by_role("link", name=name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        page.get_by_text("The data as a table, with notes", exact=True).click()
        no_sideways_scroll(page, 320)
        assert_no_axe_violations(page)
