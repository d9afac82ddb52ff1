"""A nurse on a 320-pixel phone: ticking two tags, the unread count on the menu button,
the board's folded filters and Support on each card, and character counts."""

import re

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from ideas.models import Idea, PulseCheckIn
from ideas.pulse_models import DEFAULT_PULSE_TAGS
from tests.e2e.phone import PHONE, seed, signed_in

ORG = "/city-hospitals"


@pytest.fixture
def seeded(organisation, ward, alice, lena, bob, share):
    return seed(organisation, ward, alice=alice, lena=lena, bob=bob, share=share)


@pytest.fixture
def phone(browser, live_server, bob, seeded, transactional_db):
    """Bob, a staff member, on a phone: his ideas have had replies (unread notifications)."""
    context = signed_in(browser, live_server, bob)
    yield context.new_page()
    context.close()


def go(page, live_server, path):
    page.goto(f"{live_server.url}{ORG}/{path}")


def test_two_pulse_tags_can_be_ticked_unticked_and_saved(
    phone, live_server, assert_no_axe_violations
):
    go(phone, live_server, "pulse/")
    tags = phone.get_by_role("group", name="What made the difference? (optional)")
    expect(tags.get_by_role("checkbox")).to_have_count(len(DEFAULT_PULSE_TAGS))
    staffing = tags.get_by_role("checkbox", name="Staffing", exact=True)
    teamwork = tags.get_by_role("checkbox", name="Teamwork", exact=True)
    workload = tags.get_by_role("checkbox", name="Workload", exact=True)
    staffing.check()
    teamwork.check()
    workload.check()
    workload.uncheck()  # a radio button could never be unticked
    expect(staffing).to_be_checked()
    expect(teamwork).to_be_checked()
    expect(workload).not_to_be_checked()
    assert_no_axe_violations(phone)
    phone.get_by_role("radio", name="4: Good").check()
    phone.get_by_role("button", name="Send", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).not_to_have_text("How was your shift?")
    with scopes_disabled():
        latest = PulseCheckIn.objects.order_by("-pk").first()
        assert sorted(latest.tags) == ["staffing", "teamwork"]


def test_the_unread_count_shows_on_the_menu_button(phone, live_server, browser):
    go(phone, live_server, "")
    more = phone.get_by_role("button", name=re.compile(r"More \d+ unread"))
    expect(more).to_be_visible()
    expect(more.locator(".iw-menu-badge")).to_be_visible()
    more.click()
    expect(phone.get_by_role("link", name=re.compile(r"Notifications \d+ unread"))).to_be_visible()
    # On a wide screen the Notifications link is in the bar with its own count.
    phone.set_viewport_size({"width": 1280, "height": 800})
    phone.reload()
    expect(phone.get_by_role("link", name=re.compile(r"Notifications \d+ unread"))).to_be_visible()
    expect(phone.locator(".iw-menu-badge")).not_to_be_visible()


def test_the_board_folds_its_filters_and_supports_from_a_card(
    phone, live_server, lena, seeded, assert_no_axe_violations
):
    go(phone, live_server, "ideas/")
    filters = phone.locator("details.iw-filter-details")
    expect(filters).not_to_have_attribute("open", "")
    expect(phone.get_by_label("Type", exact=True)).to_be_hidden()
    first_card = phone.locator(".iw-idea").first
    assert first_card.bounding_box()["y"] < PHONE["height"], "the first idea is off the screen"
    assert_no_axe_violations(phone)

    # Lena's idea (the duplicate is merged; the rest are Bob's own): Bob supports it.
    with scopes_disabled():
        idea = Idea.objects.filter(author=lena).first()
    card = phone.locator(f"#idea-{idea.pk}")
    phone.evaluate("window.__noReload = true")
    card.get_by_role("button", name=re.compile("^Support")).click()
    expect(card.get_by_role("button", name=re.compile("^Withdraw support"))).to_be_visible()
    expect(card).to_contain_text("1 support")
    expect(card).to_contain_text("You support this")
    card.get_by_role("button", name=re.compile("^Withdraw support")).click()
    expect(card.get_by_role("button", name=re.compile("^Support"))).to_be_visible()
    expect(card).to_contain_text("0 supports")
    card.get_by_role("button", name=re.compile("^Support")).click()
    expect(card).to_contain_text("You support this")
    assert phone.evaluate("window.__noReload") is True, "supporting reloaded the page"
    # No card of Bob's own offers him support.
    for own in seeded["ideas"].values():
        expect(phone.locator(f"#idea-{own.pk}").get_by_role("button")).to_have_count(0)

    # Open the filters, apply one: the page comes back with them open, and says so.
    phone.get_by_text("Filter ideas", exact=True).click()
    phone.get_by_label("Type", exact=True).select_option(label="Improvement idea")
    phone.get_by_role("button", name="Apply filters").click()
    expect(phone.locator("details.iw-filter-details")).to_have_attribute("open", "")
    expect(phone.get_by_text("Filter ideas (1 applied)")).to_be_visible()
    assert_no_axe_violations(phone)


def test_supporting_from_the_board_works_without_javascript(
    browser, live_server, bob, lena, seeded, transactional_db
):
    context = signed_in(browser, live_server, bob, javascript=False)
    try:
        page = context.new_page()
        go(page, live_server, "ideas/?kind=idea")
        with scopes_disabled():
            idea = Idea.objects.filter(author=lena).first()
        card = page.locator(f"#idea-{idea.pk}")
        card.get_by_role("button", name=re.compile("^Support")).click()
        expect(page).to_have_url(re.compile(rf"/ideas/\?kind=idea#idea-{idea.pk}$"))
        expect(page.locator(f"#idea-{idea.pk}")).to_contain_text("You support this")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()


def test_a_character_count_warns_instead_of_cutting_pasted_text(
    phone, live_server, assert_no_axe_violations
):
    go(phone, live_server, "ideas/new/")
    description = phone.get_by_label("Describe it", exact=True)
    expect(description).not_to_have_attribute("maxlength", re.compile(".*"))
    description.fill("Broken hoist")
    expect(phone.get_by_text("You have 4,988 characters remaining")).to_be_visible()
    pasted = "The hoist on Oak Ward is broken again. " * 130  # 5,070 characters
    description.fill(pasted)
    expect(phone.get_by_text("You have 70 characters too many")).to_be_visible()
    assert description.input_value() == pasted  # nothing was cut
    assert_no_axe_violations(phone)

    title = phone.get_by_label("Title", exact=True)
    title.fill("x" * 121)
    expect(phone.get_by_text("You have 1 character too many")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_wide_tables_scroll_in_their_own_box_with_or_without_javascript(
    browser, live_server, alice, seeded, transactional_db, assert_no_axe_violations
):
    project = f"projects/{seeded['project'].pk}/"
    for javascript in (True, False):
        context = signed_in(browser, live_server, alice, javascript=javascript)
        try:
            page = context.new_page()
            go(page, live_server, project)
            expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            if javascript:
                # The audit table scrolls in a named box that the keyboard can reach.
                box = page.get_by_role("region", name="Audit trail (scrolls sideways)")
                expect(box).to_have_attribute("tabindex", "0")
                box.focus()
                page.keyboard.press("ArrowRight")
                page.wait_for_function(
                    "() => document.querySelector('.iw-table-scroll[role=region]').scrollLeft > 0"
                )
                assert_no_axe_violations(page)
        finally:
            context.close()
