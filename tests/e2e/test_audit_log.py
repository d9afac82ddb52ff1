"""An organisation admin reads the audit log on a phone: their own sign-in is in it, the
table stacks instead of scrolling sideways, filters work, and axe finds nothing."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.demo import sign_in
from tests.e2e.phone import PHONE

ADMIN = "admin@demo-trust.nhs.uk"


@pytest.mark.parametrize("viewport", [PHONE])
def test_an_admin_reads_and_filters_the_audit_log_on_a_phone(
    live_server, page, settings, transactional_db, assert_no_axe_violations
):
    settings.REQUIRE_MFA = False
    call_command("seed_demo", verbosity=0)
    sign_in(live_server, page, ADMIN)
    page.get_by_role("link", name="Audit log", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    expect(page.locator("table")).to_contain_text("changed role")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_axe_violations(page)

    page.get_by_label("Kind of entry").select_option(label="Sign-in")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("tbody tr")
    expect(rows.first).to_contain_text("signed in")
    expect(page.locator("table")).not_to_contain_text("changed role")

    page.get_by_label("From").fill("2026-03-02")
    page.get_by_label("To").fill("2026-03-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("The last day must be")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_axe_violations(page)
