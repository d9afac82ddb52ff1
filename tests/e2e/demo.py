"""What the browser tests on the demo share: its password, and signing in through the
real sign-in form."""

import re

from playwright.sync_api import expect

DEMO_PASSWORD = "improvewell-demo"


def sign_in(live_server, page, email, *, password=DEMO_PASSWORD, landing="demo-trust"):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/{landing}/$"))
