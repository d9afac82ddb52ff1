import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

EMAIL = "staff@demo-trust.nhs.uk"
PASSWORD = "improvewell-demo"


def open_login_page(live_server, page):
    call_command("seed_demo")
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(live_server.url + "/accounts/login/")


def sign_in(page, password=PASSWORD):
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def assert_on_organisation_home(page):
    expect(page).to_have_url(re.compile(r"/demo-trust/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Demo NHS Foundation Trust")


def test_staff_member_signs_in_and_lands_on_organisation_home(
    live_server, page, transactional_db, assert_no_axe_violations
):
    open_login_page(live_server, page)
    assert_no_axe_violations(page)

    sign_in(page)

    assert_on_organisation_home(page)
    expect(page.get_by_role("banner")).to_contain_text("Demo NHS Foundation Trust")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert_no_axe_violations(page)


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 812}])
def test_organisation_home_on_a_phone_is_accessible_and_does_not_scroll_sideways(
    live_server, page, transactional_db, assert_no_axe_violations
):
    open_login_page(live_server, page)
    sign_in(page)

    assert_on_organisation_home(page)
    assert_no_axe_violations(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_wrong_password_shows_an_error_and_keeps_the_email(
    live_server, page, transactional_db, assert_no_axe_violations
):
    open_login_page(live_server, page)
    sign_in(page, password="not-the-password")

    expect(page).to_have_url(live_server.url + "/accounts/login/")
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary.get_by_role("listitem")).not_to_have_count(0)
    expect(page.get_by_label("Email", exact=True)).to_have_value(EMAIL)
    assert_no_axe_violations(page)
