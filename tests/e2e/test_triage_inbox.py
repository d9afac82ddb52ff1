"""A QI lead clears the triage inbox: refusals shown in place, the merge picker, the next
idea; a member sharing an idea sees similar ones; no triage page scrolls sideways."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.demo import sign_in

STAFF = "staff@demo-trust.nhs.uk"
LEAD = "lead@demo-trust.nhs.uk"
CHARGERS = "Not enough chargers for the observation machines"


@pytest.fixture
def demo(live_server, settings, transactional_db):
    # The live server thread reads settings on each request: no two-factor set-up here.
    settings.REQUIRE_MFA = False
    call_command("seed_demo", verbosity=0)
    return live_server.url + "/demo-trust/"


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{page.url} is {width} px wide at 320 px"


def test_a_refused_move_shows_its_error_in_the_item(
    live_server, demo, page, assert_no_axe_violations
):
    sign_in(live_server, page, LEAD)
    page.goto(demo + "triage/?status=submitted")
    page.evaluate("window.__noReload = true")
    item = page.locator("li.iw-idea").first
    title = item.locator("label.nhsuk-checkboxes__label").inner_text()
    title = title.strip().removeprefix("Select").strip()
    item.locator("summary").filter(has_text="Change status").click()
    status = item.get_by_label("New status", exact=True)
    # Only the workflow's moves: a submitted idea cannot be implemented straight away.
    assert "Implemented" not in status.locator("option").all_inner_texts()
    status.select_option(label="Not taken forward")
    item.get_by_role("button", name="Save status", exact=True).click()

    item = page.locator("li.iw-idea").first
    alert = item.get_by_role("alert")
    expect(alert).to_contain_text(f"The status of “{title}” was not changed")
    expect(alert).to_contain_text("Explain why the idea is not being taken forward.")
    message = item.get_by_label("Message to the person who shared it (optional)", exact=True)
    expect(message).to_be_visible()
    expect(item.locator(".nhsuk-error-message")).to_contain_text("Explain why")
    assert page.evaluate("window.__noReload") is True  # swapped in place, not reloaded
    assert_no_axe_violations(page)

    message.fill("We have no budget for this before April.")
    item.get_by_role("button", name="Save status", exact=True).click()
    expect(page.locator("li.iw-idea").first.get_by_role("status")).to_contain_text("Saved.")


def test_next_idea_walks_the_queue_in_the_inboxs_order(
    live_server, demo, page, assert_no_axe_violations
):
    sign_in(live_server, page, LEAD)
    page.goto(demo + "triage/")
    labels = page.locator("li.iw-idea label.nhsuk-checkboxes__label").all_inner_texts()
    queue = [label.removeprefix("Select ").strip() for label in labels][:4]
    page.locator("li.iw-idea").first.get_by_role("link", name=re.compile("^Triage ")).click()
    seen = []
    for _ in queue:
        seen.append(page.get_by_role("heading", level=1).inner_text().strip())
        page.get_by_role("link", name="Next idea", exact=True).click()
    assert seen == queue
    assert_no_axe_violations(page)

    # Saving and going on lands on the next idea too.
    before = page.get_by_role("heading", level=1).inner_text()
    page.locator("textarea[name=message]").first.fill("Thank you.")
    page.get_by_role("button", name="Save and go to the next idea").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(before)
    expect(page.get_by_text("is now", exact=False).first).to_be_visible()


def test_the_merge_picker_finds_the_original_as_the_lead_types(
    live_server, demo, browser, page, viewport, assert_no_axe_violations
):
    sign_in(live_server, page, STAFF)
    page.goto(demo + "ideas/new/")
    page.get_by_label("Improvement idea", exact=True).check()
    page.get_by_label("Title", exact=True).fill("More obs machine charging points")
    page.get_by_label("Describe it", exact=True).fill("The machines are flat by 10am.")
    page.get_by_label("Category", exact=True).select_option(label="Equipment and facilities")
    page.get_by_role("button", name="Share", exact=True).click()
    path = page.get_by_role("link", name="View your improvement idea").get_attribute("href")
    idea_id = path.rstrip("/").rsplit("/", 1)[-1]

    lead_context = browser.new_context(viewport=viewport)
    try:
        lead = lead_context.new_page()
        sign_in(live_server, lead, LEAD)
        lead.goto(demo + f"triage/{idea_id}/")
        lead.evaluate("window.__noReload = true")
        lead.get_by_label("Search for the original idea by its title").press_sequentially(
            "chargers", delay=30
        )
        candidates = lead.locator("#merge-candidates")
        expect(candidates).to_contain_text("Ideas with a title like “chargers”")
        lead.get_by_label(CHARGERS, exact=True).check()
        assert lead.evaluate("window.__noReload") is True
        assert_no_axe_violations(lead)
        lead.get_by_role("button", name="Merge as duplicate").click()
        expect(lead.get_by_text("Merged: the person who shared it has been told.")).to_be_visible()
        expect(lead.get_by_text("Merged into")).to_be_visible()
    finally:
        lead_context.close()


def test_similar_ideas_appear_while_a_member_types_a_title(
    live_server, demo, page, assert_no_axe_violations
):
    sign_in(live_server, page, STAFF)
    page.goto(demo + "ideas/new/")
    title = page.get_by_label("Title", exact=True)
    title.press_sequentially("chargers for observation", delay=30)
    region = page.locator("#similar-ideas")
    expect(region).to_have_attribute("aria-live", "polite")
    expect(region).to_contain_text("Has someone shared this already?")
    expect(region.get_by_role("link", name=re.compile(CHARGERS))).to_be_visible()
    expect(title).to_have_value("chargers for observation")  # nothing typed is lost
    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [{"width": 320, "height": 640}])
def test_the_triage_pages_do_not_scroll_sideways_at_320_px(
    live_server, demo, page, viewport, assert_no_axe_violations
):
    sign_in(live_server, page, LEAD)
    page.goto(demo + "triage/")
    no_sideways_scroll(page)
    page.locator("li.iw-idea").first.get_by_role("link", name=re.compile("^Triage ")).click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    no_sideways_scroll(page)
    page.get_by_label("Search for the original idea by its title").fill("chargers")
    page.get_by_role("button", name="Search", exact=True).click()
    no_sideways_scroll(page)
    assert_no_axe_violations(page)
