"""An organisation admin keeps the routing rules on a phone: the demo's rules in order, a
new rule with a field error first, moved to the top, tried, and the routed idea's triage
page; axe finds nothing."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.demo import sign_in
from tests.e2e.phone import PHONE

ADMIN = "admin@demo-trust.nhs.uk"


@pytest.mark.parametrize("viewport", [PHONE])
def test_an_admin_adds_moves_and_tries_a_routing_rule(
    live_server, page, settings, transactional_db, assert_no_axe_violations
):
    settings.REQUIRE_MFA = False
    call_command("seed_demo", verbosity=0)
    sign_in(live_server, page, ADMIN)
    page.get_by_role("link", name="Routing rules", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Routing rules")
    rules = page.locator(".iw-rule h3")
    expect(rules).to_have_count(2)
    expect(rules.first).to_contain_text("Equipment concerns")
    assert_no_axe_violations(page)

    page.get_by_role("button", name="Add a rule").click()
    page.get_by_label("Rule name").fill("Everything on the AMU")
    page.get_by_role("button", name="Add rule").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose the team")
    assert_no_axe_violations(page)

    page.get_by_label("Acute Medical Unit", exact=False).first.check()
    page.get_by_label("Send to team").select_option(label="Staff Wellbeing Collaborative")
    page.get_by_role("button", name="Add rule").click()
    expect(rules).to_have_count(3)
    expect(rules.nth(2)).to_contain_text("Everything on the AMU")

    for _ in range(2):
        page.get_by_role("button", name="Move up Everything on the AMU").click()
    expect(rules.first).to_contain_text("Everything on the AMU")
    assert_no_axe_violations(page)

    page.get_by_label("Category").select_option(label="Staff wellbeing")
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Staff Wellbeing Collaborative")
    assert_no_axe_violations(page)
