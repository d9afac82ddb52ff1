"""Raising a concern (who to contact now; urgent to the top of the inbox), the ward poster
(its QR code and print button) and the sign-in page, in a browser."""

import re
import uuid

from django.core.management import call_command
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from organisations.models import Ward
from tests.e2e.demo import sign_in

PASSWORD = "improvewell-demo"
STAFF = "staff@demo-trust.nhs.uk"
LEAD = "lead@demo-trust.nhs.uk"
DASH = "\u2013"  # the en dash of every page title


def test_choosing_concern_shows_who_to_contact_and_an_urgent_concern_tops_the_inbox(
    live_server, browser, page, viewport, settings, transactional_db, assert_no_axe_violations
):
    settings.REQUIRE_MFA = False
    call_command("seed_demo", verbosity=0)
    sign_in(live_server, page, STAFF)
    page.goto(live_server.url + "/demo-trust/ideas/new/")
    contacts = page.locator("#concern-contacts")
    urgent = page.get_by_label("This concern is urgent", exact=True)
    # An improvement idea is chosen at first: nothing about concerns is shown.
    expect(contacts).to_be_hidden()
    expect(urgent).to_be_hidden()

    page.get_by_label("Problem or concern", exact=True).check()
    expect(contacts).to_be_visible()
    expect(contacts).to_contain_text("If this is urgent or about patient safety")
    expect(contacts).to_contain_text("Grace Okafor, our Freedom to Speak Up guardian")
    expect(contacts.get_by_role("link", name="incident reporting")).to_have_attribute(
        "href", "https://incidents.demo-trust.nhs.uk/report"
    )
    expect(urgent).to_be_visible()
    assert_no_axe_violations(page)

    page.get_by_label("Praise for a colleague or team", exact=True).check()
    expect(contacts).to_be_hidden()
    page.get_by_label("Problem or concern", exact=True).check()

    title = f"Oxygen cylinder left in corridor {uuid.uuid4().hex[:6]}"
    urgent.check()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Describe it", exact=True).fill("A full cylinder, unsecured, all night.")
    page.get_by_label("Category", exact=True).select_option(label="Patient safety")
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for sharing")

    lead_context = browser.new_context(viewport=viewport)
    try:
        lead = lead_context.new_page()
        sign_in(live_server, lead, LEAD)
        lead.goto(live_server.url + "/demo-trust/triage/")
        first = lead.locator("li.iw-idea").first
        expect(first).to_contain_text(title)
        expect(first.locator(".nhsuk-tag", has_text="Urgent")).to_be_visible()
        assert_no_axe_violations(lead)
    finally:
        lead_context.close()

    # Without JavaScript the contacts and the urgent box are always there, under the kinds.
    plain_context = browser.new_context(viewport=viewport, java_script_enabled=False)
    try:
        plain = plain_context.new_page()
        sign_in(live_server, plain, STAFF)
        plain.goto(live_server.url + "/demo-trust/ideas/new/")
        expect(plain.locator("#concern-contacts")).to_be_visible()
        expect(plain.get_by_label("This concern is urgent", exact=True)).to_be_visible()
    finally:
        plain_context.close()


def test_the_poster_has_a_qr_code_and_a_print_button(
    live_server, page, transactional_db, assert_no_axe_violations
):
    call_command("seed_demo", verbosity=0)
    with scopes_disabled():
        ward = Ward.objects.get(organisation__slug="demo-trust", name="Acute Medical Unit")
    sign_in(live_server, page, STAFF)
    page.goto(live_server.url + f"/demo-trust/you-said-we-did/{ward.pk}/poster/")
    qr = page.locator("figure.iw-qr-figure svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and abs(box["width"] - box["height"]) < 1
    address = f"{live_server.url}/demo-trust/ideas/new/?ward={ward.pk}"
    expect(page.locator(".iw-poster__address")).to_have_text(address)
    print_button = page.get_by_role("button", name="Print this poster")
    expect(print_button).to_be_visible()
    expect(page.get_by_text("use your browser's Print")).to_be_hidden()
    assert_no_axe_violations(page)

    # On paper: no controls, and the poster fills the A4 page.
    page.emulate_media(media="print")
    expect(print_button).to_be_hidden()
    expect(qr).to_be_visible()

    # The address on the poster opens the share form with the ward chosen.
    page.emulate_media(media="screen")
    page.goto(address)
    expect(page.get_by_label("Ward or department", exact=True)).to_have_value(str(ward.pk))


def test_the_sign_in_page_speaks_like_the_service(
    live_server, page, transactional_db, assert_no_axe_violations
):
    call_command("seed_demo", verbosity=0)
    page.goto(live_server.url + "/accounts/login/")
    expect(page).to_have_title(f"Sign in {DASH} ImproveWell")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert page.locator("[placeholder]").count() == 0
    assert_no_axe_violations(page)
    page.get_by_label("Email", exact=True).fill(STAFF)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/demo-trust/$"))
    expect(page.locator(".nhsuk-notification-banner")).to_have_count(1)
    page.goto(live_server.url + "/accounts/password/change/")
    expect(page).to_have_title(f"Change password {DASH} ImproveWell")
    assert_no_axe_violations(page)
