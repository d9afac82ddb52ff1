"""An organisation admin invites someone on a phone, and the person joins from the
email's link: the flow a trust runs for everyone the CSV import does not cover."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.demo import sign_in
from tests.e2e.phone import PHONE

ADMIN = "admin@demo-trust.nhs.uk"
NEWCOMER = "lou.locum@gmail.com"


@pytest.mark.parametrize("viewport", [PHONE])
def test_an_admin_invites_someone_who_joins_from_the_email(
    live_server, browser, page, settings, transactional_db, assert_no_axe_violations
):
    settings.REQUIRE_MFA = False
    call_command("seed_demo", verbosity=0)
    sign_in(live_server, page, ADMIN)
    page.goto(live_server.url + "/demo-trust/manage/")
    page.get_by_role("link", name="Invitations", exact=True).click()

    page.get_by_label("Email address").fill("lou.locum-at-gmail")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value("lou.locum-at-gmail")
    assert_no_axe_violations(page)

    mail.outbox.clear()
    page.get_by_label("Email address").fill(NEWCOMER)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator("main")).to_contain_text(NEWCOMER)
    assert_no_axe_violations(page)

    [email] = [m for m in mail.outbox if NEWCOMER in m.to]
    link = re.search(r"https?://\S+/invitations/\S+/", email.body).group(0)
    path = link[link.index("/invitations/") :]

    newcomer = browser.new_context(viewport=PHONE).new_page()
    newcomer.goto(live_server.url + path)
    expect(newcomer.get_by_role("heading", level=1)).to_contain_text("Join Demo")
    assert_no_axe_violations(newcomer)
    newcomer.get_by_role("button", name="Create an account").click()
    expect(newcomer.get_by_label("Email", exact=True)).to_have_value(NEWCOMER)
    newcomer.get_by_label("Full name").fill("Lou Locum")
    newcomer.get_by_label("Password", exact=True).fill("a long and unusual passphrase 42")
    newcomer.get_by_label("Password (again)").fill("a long and unusual passphrase 42")
    assert_no_axe_violations(newcomer)
    newcomer.locator("main form button[type=submit]").click()
    expect(newcomer).to_have_url(re.compile(r"/demo-trust/"))
    newcomer.context.close()
