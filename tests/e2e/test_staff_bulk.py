"""An organisation admin on a phone filters the staff list, ticks everyone on the page
and makes them QI leads after checking the confirmation page; axe finds nothing."""

from django_scopes import scopes_disabled
from playwright.sync_api import expect

from organisations.models import Membership, Role
from tests import factories
from tests.e2e.phone import signed_in


def test_an_admin_changes_the_role_of_everyone_on_a_filtered_page(
    live_server, browser, organisation, ward, alice, transactional_db, assert_no_axe_violations
):
    with scopes_disabled():
        for n in range(3):
            factories.MembershipFactory(
                organisation=organisation,
                user__email=f"pharmacist{n}@city.nhs.uk",
                user__name=f"Priya Pharmacist {n}",
                profession="pharmacy",
                home_ward=ward,
            )
    context = signed_in(browser, live_server, alice)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/city-hospitals/manage/staff/")
        page.get_by_label("Staff group").select_option(label="Pharmacy")
        page.get_by_role("button", name="Filter").click()
        expect(page.get_by_text("Showing 1 to 3 of 3 people.")).to_be_visible()
        assert_no_axe_violations(page)

        page.get_by_label("All on this page").check()
        expect(page.locator("input[name=member]:checked")).to_have_count(3)
        page.get_by_label("Change for the people ticked").select_option(
            label="Change role to QI lead"
        )
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Check the changes")
        expect(page.locator("main table")).to_contain_text("Priya Pharmacist 2")
        assert_no_axe_violations(page)

        page.get_by_role("button", name="Confirm 3 changes").click()
        expect(page.get_by_text("Changed 3 people.")).to_be_visible()
        assert "profession=pharmacy" in page.url
        assert_no_axe_violations(page)
    finally:
        context.close()
    with scopes_disabled():
        roles = set(Membership.objects.filter(profession="pharmacy").values_list("role", flat=True))
    assert roles == {Role.QI_LEAD}
