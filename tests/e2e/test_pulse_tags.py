"""An organisation admin makes the pulse's tags the trust's own on a phone 320 pixels
wide: adds one, retires one, is refused retiring the last; a member's check-in offers
exactly the tags offered; axe finds nothing on any page."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from ideas.models import PulseTag
from tests.e2e.phone import signed_in


@pytest.mark.django_db(transaction=True)
def test_an_admin_changes_the_pulse_tags_and_members_see_them(
    live_server, browser, organisation, ward, alice, bob, assert_no_axe_violations
):
    admin = signed_in(browser, live_server, alice)
    page = admin.new_page()
    try:
        page.goto(live_server.url + "/city-hospitals/manage/")
        page.get_by_role("link", name="Pulse tags", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Pulse tags")
        assert_no_axe_violations(page)

        page.get_by_role("textbox", name="Tag").fill("Staffing")
        page.get_by_role("button", name="Add tag").click()
        expect(page.locator(".nhsuk-error-summary")).to_contain_text("already a tag")
        assert_no_axe_violations(page)
        page.get_by_role("textbox", name="Tag").fill("Breaks")
        page.get_by_role("button", name="Add tag").click()
        expect(page.get_by_text("Added the tag “Breaks”.")).to_be_visible()

        page.get_by_role("link", name="Change Equipment").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Change the tag “Equipment”")
        assert_no_axe_violations(page)
        page.get_by_label("Offer this tag in the check-in").uncheck()
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("row", name="Equipment No, retired")).to_be_visible()
    finally:
        admin.close()
    with scopes_disabled():
        offered = list(
            PulseTag.objects.filter(organisation=organisation, is_active=True).values_list(
                "label", flat=True
            )
        )

    member = signed_in(browser, live_server, bob)
    page = member.new_page()
    try:
        page.goto(live_server.url + "/city-hospitals/pulse/")
        tags = page.get_by_role("group", name="What made the difference? (optional)")
        expect(tags.get_by_role("checkbox")).to_have_count(len(offered))
        expect(tags.get_by_role("checkbox", name="Breaks")).to_be_visible()
        expect(tags.get_by_role("checkbox", name="Equipment")).to_have_count(0)
        assert_no_axe_violations(page)
    finally:
        member.close()
