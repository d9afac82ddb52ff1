"""An organisation admin imports staff from a CSV on a phone: a file with a bad row is
refused row by row, a good one is previewed, then applied; axe finds nothing on any page."""

from django_scopes import scopes_disabled
from playwright.sync_api import expect

from organisations.models import Membership
from tests.e2e.phone import signed_in

HEADER = "email,name,role,staff group,home ward\n"


def csv_file(text):
    return {"name": "staff.csv", "mimeType": "text/csv", "buffer": text.encode()}


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_admin_checks_and_applies_a_staff_csv_on_a_phone(
    live_server, browser, transactional_db, alice, ward, assert_no_axe_violations
):
    context = signed_in(browser, live_server, alice)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/city-hospitals/manage/staff/")
        page.get_by_role("link", name="Import staff from a CSV file").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Import staff from a CSV file")
        assert_no_axe_violations(page)
        assert fits_the_phone(page)

        page.get_by_role("button", name="Check the file").click()
        expect(page.locator(".nhsuk-error-summary")).to_contain_text("Choose a CSV file")
        assert_no_axe_violations(page)

        bad = HEADER + "nia@city.nhs.uk,Nia Nurse,,,Ward 99\n"
        page.get_by_label("CSV file").set_input_files(csv_file(bad))
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("The file has problems")
        expect(page.locator(".nhsuk-error-summary")).to_contain_text(
            "Row 2: 'Ward 99' is not a ward of City Hospitals NHS Foundation Trust."
        )
        assert_no_axe_violations(page)
        assert fits_the_phone(page)

        page.get_by_role("link", name="upload the file again").click()
        good = HEADER + f"nia@city.nhs.uk,Nia Nurse,,Pharmacy,{ward.name}\n"
        page.get_by_label("CSV file").set_input_files(csv_file(good))
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
        expect(page.locator(".nhsuk-summary-list")).to_contain_text("Would be added")
        assert_no_axe_violations(page)
        assert fits_the_phone(page)

        page.get_by_role("button", name="Apply the import").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Staff imported")
        assert_no_axe_violations(page)
        with scopes_disabled():
            nia = Membership.objects.get(user__email="nia@city.nhs.uk")
        assert (nia.profession, nia.home_ward_id) == ("pharmacy", ward.pk)
    finally:
        context.close()
