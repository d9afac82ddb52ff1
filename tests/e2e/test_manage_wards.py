"""An organisation admin archives a ward that is people's home ward, and merges two
wards, on a phone 320 pixels wide; axe finds nothing on any page."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from ideas.models import Idea
from organisations.models import Membership, Ward
from tests import factories
from tests.e2e.phone import signed_in


@pytest.mark.django_db(transaction=True)
def test_an_admin_archives_and_merges_wards_on_a_phone(
    live_server, browser, organisation, ward, alice, bob, assert_no_axe_violations
):
    with scopes_disabled():
        oak = factories.WardFactory(organisation=organisation, site=ward.site, name="Oak Ward")
        ash = factories.WardFactory(organisation=organisation, site=ward.site, name="Ash Ward")
        factories.IdeaFactory(organisation=organisation, ward=ash, author=bob)
    context = signed_in(browser, live_server, alice)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/city-hospitals/manage/")
        assert_no_axe_violations(page)
        page.get_by_role("link", name="Sites and wards", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Sites and wards")
        assert_no_axe_violations(page)

        # Archiving the home ward of Alice and Bob asks where they go first.
        page.get_by_role("link", name="Archive Acute Medical Unit").click()
        page.get_by_role("button", name="Archive ward").click()
        expect(page.locator(".nhsuk-error-summary")).to_contain_text("2 people have")
        assert_no_axe_violations(page)
        page.get_by_label("Move their home ward to").select_option(label=f"Oak Ward ({ward.site})")
        page.get_by_role("button", name="Archive ward").click()
        expect(page.get_by_text("Acute Medical Unit is archived.")).to_be_visible()

        # Merging Ash into Oak: a confirmation page, then everything moves.
        page.get_by_role("link", name="Merge Ash Ward").click()
        page.get_by_label("Merge into").select_option(label=f"Oak Ward ({ward.site})")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Merge Ash Ward into Oak Ward?")
        assert_no_axe_violations(page)
        page.get_by_role("button", name="Merge wards").click()
        expect(page.get_by_text("Ash Ward is merged into Oak Ward and archived.")).to_be_visible()
        assert_no_axe_violations(page)
    finally:
        context.close()
    with scopes_disabled():
        assert set(Membership.objects.values_list("home_ward", flat=True)) == {oak.pk}
        assert list(Idea.objects.values_list("ward", flat=True)) == [oak.pk]
        assert not Ward.objects.filter(pk__in=[ward.pk, ash.pk], is_active=True).exists()
