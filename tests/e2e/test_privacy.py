"""On a phone: a leaver downloads their data before going; their admin then erases them.
axe finds nothing on either page."""

import json
import re
from pathlib import Path

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from organisations.models import Membership, Role
from tests import factories
from tests.e2e.phone import PHONE
from tests.factories import TEST_PASSWORD


def _sign_in(live_server, page, email):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/city-hospitals/$"))


@pytest.mark.parametrize("viewport", [PHONE])
def test_a_leaver_downloads_their_data_and_their_admin_erases_it(
    live_server, page, settings, transactional_db, organisation, ward, assert_no_axe_violations
):
    settings.REQUIRE_MFA = False
    with scopes_disabled():
        admin = factories.MembershipFactory(
            organisation=organisation, user__email="ada@city.nhs.uk", role=Role.ORG_ADMIN
        )
        leaver = factories.MembershipFactory(
            organisation=organisation, user__email="lee@city.nhs.uk", user__name="Lee Leaver"
        )
    _sign_in(live_server, page, "lee@city.nhs.uk")
    page.goto(live_server.url + "/account/")
    page.get_by_role("link", name="Download your data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Download your data")
    assert_no_axe_violations(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as JSON").click()
    data = json.loads(Path(download.value.path()).read_text())
    assert data["profile"][0]["name"] == "Lee Leaver"

    page.context.clear_cookies()
    with scopes_disabled():
        Membership.objects.filter(pk=leaver.pk).update(is_active=False)
    _sign_in(live_server, page, admin.user.email)
    page.goto(live_server.url + f"/city-hospitals/manage/staff/{leaver.pk}/")
    page.get_by_role("link", name="Erase personal data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase personal data of Lee Leaver?")
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Erase personal data").click()
    expect(page.locator("body")).to_contain_text("Lee Leaver's personal data was erased.")
    expect(page.locator("table")).to_contain_text("Former member")
    assert_no_axe_violations(page)
