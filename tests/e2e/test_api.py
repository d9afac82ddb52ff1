"""The API's browsable docs under the app's strict CSP, and the token pages, in a browser."""

from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.demo import sign_in

STAFF = "staff@demo-trust.nhs.uk"


def test_the_api_docs_work_under_the_content_security_policy(live_server, page, transactional_db):
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.goto(live_server.url + "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("ImproveWell API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    assert page.locator("text=/api/v1/{org}/ideas/").count() >= 1
    assert [m for m in refused if "script" in m] == []


def test_a_person_creates_and_revokes_a_token(
    live_server, page, settings, transactional_db, assert_no_axe_violations
):
    settings.REQUIRE_MFA = False
    call_command("seed_demo", verbosity=0)
    sign_in(live_server, page, STAFF)
    page.goto(live_server.url + "/account/")
    page.get_by_role("link", name="Manage API tokens").click()
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Create a token").click()
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a name for the token.")
    assert_no_axe_violations(page)
    page.get_by_label("Name", exact=True).fill("Ward dashboard")
    page.get_by_label("Read only", exact=True).check()
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#api-token")).to_contain_text("iw_")
    assert_no_axe_violations(page)
    page.get_by_role("link", name="Back to API tokens").click()
    page.get_by_role("link", name="Revoke Ward dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revoke the token")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Revoke token").click()
    expect(page.locator("table")).to_contain_text("Revoked")
