"""A QI lead triages a staff idea into a QI project; the person who shared it sees the outcome."""

import datetime
import re
import uuid

from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.demo import sign_in

STAFF = "staff@demo-trust.nhs.uk"
LEAD = "lead@demo-trust.nhs.uk"
TEAM = "Patient Safety Improvement Group"


def unique_title(prefix):
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def share_idea(live_server, page, title):
    """Share a named improvement idea and return the path of its page."""
    page.goto(live_server.url + "/demo-trust/ideas/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Share an idea, concern or praise")
    page.get_by_label("Improvement idea", exact=True).check()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Describe it", exact=True).fill("Antibiotics for sepsis arrive late.")
    page.get_by_label("Ward or department", exact=True).select_option(
        label="Acute Medical Unit (City General Hospital)"
    )
    page.get_by_label("Category", exact=True).select_option(label="Patient safety")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for sharing")
    return page.get_by_role("link", name="View your improvement idea").get_attribute("href")


def heading(page):
    return page.get_by_role("heading", level=1)


def test_lead_triages_an_idea_into_a_project_and_the_submitter_sees_it(
    live_server, browser, page, viewport, settings, transactional_db, assert_no_axe_violations
):
    # QI leads must set up two-factor authentication before triage; the live server thread
    # reads django.conf.settings on each request, so turning it off here reaches it.
    settings.REQUIRE_MFA = False
    call_command("seed_demo", verbosity=0)
    base = live_server.url + "/demo-trust/"

    # 1. Sam shares a named idea.
    sign_in(live_server, page, STAFF)
    title = unique_title("Faster antibiotics for sepsis")
    idea_path = share_idea(live_server, page, title)
    idea_id = idea_path.rstrip("/").rsplit("/", 1)[-1]
    message = "Thank you, Sam. We are looking at this with the sepsis team."
    project_title = unique_title("Sepsis antibiotics within the hour")

    lead_context = browser.new_context(viewport=viewport)
    try:
        lead_context.set_default_timeout(10_000)
        lead = lead_context.new_page()
        sign_in(live_server, lead, LEAD)

        # 2. Triage inbox: change the status in place.
        lead.goto(base + "triage/")
        expect(heading(lead)).to_have_text("Triage")
        assert_no_axe_violations(lead)
        item = lead.locator(f"#triage-{idea_id}")
        expect(item).to_be_visible()
        expect(item.get_by_role("link", name=f"Triage {title}", exact=True)).to_be_visible()
        inbox_url = lead.url
        # Mark the document: a full reload would lose this property.
        lead.evaluate("window.__noReload = true")
        item.locator("summary").filter(has_text="Change status").click()
        item.get_by_label("New status", exact=True).select_option(label="Under review")
        item.get_by_label("Message to the person who shared it (optional)", exact=True).fill(
            message
        )
        item.get_by_role("button", name="Save status", exact=True).click()
        # htmx swaps the <li> for a fresh one: find it again by its id.
        item = lead.locator(f"#triage-{idea_id}")
        expect(item.get_by_role("status")).to_contain_text("Saved.")
        expect(item.locator(".nhsuk-tag")).to_have_text("Under review")
        assert lead.url == inbox_url
        assert lead.evaluate("window.__noReload === true"), "the page was reloaded"
        assert_no_axe_violations(lead)

        # 3. The idea's triage page: start a project from it.
        item.get_by_role("link", name=f"Triage {title}", exact=True).click()
        expect(lead).to_have_url(base + f"triage/{idea_id}/")
        expect(heading(lead)).to_have_text(title)
        assert_no_axe_violations(lead)
        lead.get_by_role("link", name="Start a QI project from this idea", exact=True).click()
        expect(lead).to_have_url(re.compile(rf"/demo-trust/projects/new/\?ideas={idea_id}$"))
        expect(heading(lead)).to_have_text("Start a QI project")
        expect(lead.locator(".nhsuk-inset-text")).to_contain_text(title)
        lead.get_by_label("Title", exact=True).fill(project_title)
        lead.get_by_label("Aim statement", exact=True).fill(
            "Give 90% of adults with sepsis on the Acute Medical Unit antibiotics "
            "within 60 minutes by 30 June 2026."
        )
        lead.get_by_label("Team", exact=True).select_option(label=TEAM)
        lead.get_by_role("button", name="Create project", exact=True).click()
        expect(lead).to_have_url(re.compile(r"/demo-trust/projects/\d+/$"))
        expect(heading(lead)).to_have_text(project_title)
        project_url = lead.url
        ideas_behind = lead.locator("h2#ideas + ul")
        expect(ideas_behind.get_by_role("link", name=title, exact=True)).to_be_visible()
        assert_no_axe_violations(lead)

        # 4. A measure with 12 weekly values: run chart and SPC chart.
        lead.get_by_role("link", name="Add a measure", exact=True).click()
        expect(heading(lead)).to_have_text("Add a measure")
        lead.get_by_label("Name", exact=True).fill("Minutes to first antibiotics")
        lead.get_by_label("Type", exact=True).select_option(label="Process measure")
        lead.get_by_label("Unit", exact=True).fill("minutes")
        lead.get_by_label("Direction of improvement", exact=True).select_option(
            label="Lower is better"
        )
        lead.get_by_label("How it is measured (optional)", exact=True).fill(
            "Median minutes from sepsis screen to first dose, from the drug chart."
        )
        lead.get_by_label("Target (optional)", exact=True).fill("60")
        lead.get_by_role("button", name="Save measure", exact=True).click()
        expect(lead).to_have_url(re.compile(r"/demo-trust/projects/\d+/measures/\d+/$"))
        expect(heading(lead)).to_have_text("Minutes to first antibiotics")
        expect(lead.get_by_text("No data yet.")).to_be_visible()

        values = [95, 102, 88, 110, 97, 91, 105, 84, 99, 93, 101, 87]
        first = datetime.date(2026, 1, 5)
        lines = [
            f"{first + datetime.timedelta(weeks=n):%Y-%m-%d}, {value}"
            for n, value in enumerate(values)
        ]
        lead.get_by_label("Paste from a spreadsheet", exact=True).fill("\n".join(lines))
        lead.get_by_role("button", name="Add pasted data", exact=True).click()
        expect(lead.get_by_role("heading", name="Run chart", exact=True)).to_be_visible()
        expect(lead.get_by_role("heading", name="SPC chart (XmR)", exact=True)).to_be_visible()
        assert_no_axe_violations(lead)

        # 5. A PDSA cycle.
        lead.goto(project_url)
        expect(lead.locator("#measures + ul")).to_contain_text("12 data points")
        lead.get_by_role("link", name="Plan a PDSA cycle", exact=True).click()
        expect(heading(lead)).to_have_text("Plan a PDSA cycle")
        lead.get_by_label("The change being tested", exact=True).fill(
            "Sepsis grab bag with the first dose on every AMU bay"
        )
        lead.get_by_label("Plan: what we predict will happen", exact=True).fill(
            "Time to first antibiotics falls below 60 minutes for most patients."
        )
        lead.get_by_label("Start date", exact=True).fill("2026-04-06")
        lead.get_by_role("button", name="Save", exact=True).click()
        expect(lead).to_have_url(project_url + "#pdsa")
        expect(
            lead.get_by_role(
                "heading", name="PDSA 1: Sepsis grab bag with the first dose on every AMU bay"
            )
        ).to_be_visible()
        assert_no_axe_violations(lead)
    finally:
        lead_context.close()

    # 6. Sam sees the new status, the lead's message and the project.
    page.goto(live_server.url + idea_path)
    expect(heading(page)).to_have_text(title)
    expect(page.locator("h1 + p .nhsuk-tag")).to_have_text("Under review")
    timeline = page.locator(".iw-timeline")
    update = timeline.locator(".iw-timeline__item").filter(has_text="Under review")
    expect(update).to_contain_text("Lee Lead")
    expect(update).to_contain_text(message)
    project_note = page.locator(".nhsuk-inset-text").filter(has_text="Part of the QI project")
    expect(project_note).to_be_visible()
    expect(project_note.get_by_role("link", name=project_title, exact=True)).to_have_attribute(
        "href", project_url.removeprefix(live_server.url)
    )
    assert_no_axe_violations(page)

    page.goto(base + "notifications/")
    expect(heading(page)).to_have_text("Notifications")
    notifications = page.locator(".iw-notifications")
    expect(
        notifications.get_by_role("link", name=f"“{title}” is now under review", exact=True)
    ).to_be_visible()
    expect(
        notifications.get_by_role(
            "link", name=f"“{title}” is now part of the QI project “{project_title}”", exact=True
        )
    ).to_be_visible()
    assert_no_axe_violations(page)
