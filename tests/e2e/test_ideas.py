import re
import uuid

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from ideas.models import Idea
from tests.e2e.demo import sign_in

STAFF = "staff@demo-trust.nhs.uk"
LEAD = "lead@demo-trust.nhs.uk"
PHONE = {"width": 375, "height": 812}


def unique_title(prefix):
    return f"{prefix} {uuid.uuid4().hex[:8]}"


def open_submit_form(live_server, page):
    page.goto(live_server.url + "/demo-trust/ideas/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Share an idea, concern or praise")


def fill_idea_form(page, title, kind="Improvement idea", anonymous=False):
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Describe it", exact=True).fill("Written by the browser tests.")
    page.get_by_label("Ward or department", exact=True).select_option(
        label="Acute Medical Unit (City General Hospital)"
    )
    page.get_by_label("Category", exact=True).select_option(label="Patient safety")
    if anonymous:
        page.get_by_label("Post anonymously", exact=True).check()


def expect_thank_you_page(page):
    # The thank-you page answers the POST itself: no idea id in any URL.
    expect(page).to_have_url(re.compile(r"/demo-trust/ideas/new/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for sharing")


def share_idea(live_server, page, title, kind="Improvement idea", anonymous=False):
    open_submit_form(live_server, page)
    fill_idea_form(page, title, kind=kind, anonymous=anonymous)
    page.get_by_role("button", name="Share", exact=True).click()
    expect_thank_you_page(page)


def add_comment(page, text):
    page.get_by_label("Add a comment", exact=True).fill(text)
    page.get_by_role("button", name="Add comment", exact=True).click()
    expect(page.locator(".iw-comment").filter(has_text=text)).to_be_visible()


def assert_fits_phone_width(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways: {width}px wide"


def support_count(page):
    return int(page.locator("#support strong").inner_text())


def unread_badge(page):
    return page.get_by_role("banner").locator(".iw-badge")


def unread_count(page):
    badge = unread_badge(page)
    return int(badge.text_content().split()[0]) if badge.count() else 0


@pytest.mark.parametrize("viewport", [PHONE])
def test_staff_member_shares_anonymously_supports_and_comments_on_a_phone(
    live_server, page, transactional_db, assert_no_axe_violations
):
    call_command("seed_demo")
    sign_in(live_server, page, STAFF)
    title = unique_title("Broken bed alarm")

    open_submit_form(live_server, page)
    assert_no_axe_violations(page)
    assert_fits_phone_width(page)
    fill_idea_form(page, title, kind="Problem or concern", anonymous=True)
    page.get_by_role("button", name="Share", exact=True).click()
    # The demo's wards are small: naming one on an anonymous concern is questioned first.
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "colleagues might guess who shared this"
    )
    assert_no_axe_violations(page)
    assert_fits_phone_width(page)
    # Say only the site: the idea page then names the site and no ward.
    page.get_by_label(re.compile(r"^Say only ")).check()
    page.get_by_role("button", name="Share", exact=True).click()
    expect_thank_you_page(page)
    assert_fits_phone_width(page)

    # No link to the anonymous idea itself: the way to it is through My ideas.
    expect(page.get_by_role("link", name="View your problem or concern")).to_have_count(0)
    page.get_by_role("link", name="See it in My ideas").click()
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    shared_by = page.locator(".nhsuk-summary-list__row").filter(has_text="Shared by")
    expect(shared_by).to_contain_text("Anonymous")
    expect(shared_by).to_contain_text("(you)")
    expect(page.locator(".nhsuk-summary-list__key").filter(has_text="Site")).to_have_count(1)
    assert "Sam Staff" not in page.content()
    assert_no_axe_violations(page)
    assert_fits_phone_width(page)

    add_comment(page, "Still happening on nights.")
    comment = page.locator(".iw-comment").filter(has_text="Still happening on nights.")
    expect(comment).to_contain_text("Submitter (anonymous)")
    assert "Sam Staff" not in page.content()

    page.goto(live_server.url + "/demo-trust/ideas/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ideas")
    assert_no_axe_violations(page)
    assert_fits_phone_width(page)

    # Another idea that Sam may support: not his own, and not supported yet.
    hrefs = [link.get_attribute("href") for link in page.locator(".iw-idea__title a").all()]
    support_button = page.get_by_role("button", name="Support this idea", exact=True)
    for href in hrefs:
        page.goto(live_server.url + href)
        if support_button.count():
            break
    else:
        pytest.fail("No idea on the board's first page can be supported by Sam.")
    assert_fits_phone_width(page)
    before = support_count(page)
    support_button.click()
    expect(page.get_by_role("button", name="Withdraw my support", exact=True)).to_be_visible()
    expect(page.locator("#support strong")).to_have_text(str(before + 1))

    page.goto(live_server.url + "/demo-trust/my-ideas/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My ideas")
    mine = page.locator(".iw-idea").filter(has=page.get_by_role("link", name=title, exact=True))
    expect(mine).to_contain_text("anonymously")
    assert_no_axe_violations(page)
    assert_fits_phone_width(page)


def test_submitter_sees_a_notification_when_someone_comments(
    live_server, browser, page, viewport, transactional_db, assert_no_axe_violations
):
    call_command("seed_demo")
    sign_in(live_server, page, STAFF)
    title = unique_title("Named idea")
    share_idea(live_server, page, title)
    idea_url = page.get_by_role("link", name="View your improvement idea").get_attribute("href")
    unread_before = unread_count(page)

    lead_context = browser.new_context(viewport=viewport)
    try:
        lead_context.set_default_timeout(10_000)
        lead_page = lead_context.new_page()
        sign_in(live_server, lead_page, LEAD)
        lead_page.goto(live_server.url + idea_url)
        expect(lead_page.get_by_role("heading", level=1)).to_have_text(title)
        add_comment(lead_page, "Thanks, we will look at this next week.")
    finally:
        lead_context.close()

    page.reload()
    expect(unread_badge(page)).to_be_visible()
    expect(unread_badge(page)).to_have_text(f"{unread_before + 1} unread")

    page.goto(live_server.url + "/demo-trust/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_role("link", name=f"New comment on “{title}”")).to_be_visible()
    assert_no_axe_violations(page)


def test_double_clicked_share_creates_one_idea(live_server, page, transactional_db):
    call_command("seed_demo")
    sign_in(live_server, page, STAFF)
    title = unique_title("Double click")

    open_submit_form(live_server, page)
    fill_idea_form(page, title)
    page.get_by_role("button", name="Share", exact=True).dblclick()
    expect_thank_you_page(page)

    with scopes_disabled():
        assert Idea.objects.filter(title=title).count() == 1


def test_form_errors_keep_what_was_typed(
    live_server, page, transactional_db, assert_no_axe_violations
):
    call_command("seed_demo")
    sign_in(live_server, page, STAFF)
    description = "The sluice room door sticks."

    open_submit_form(live_server, page)
    page.get_by_label("Describe it", exact=True).fill(description)
    page.get_by_role("button", name="Share", exact=True).click()

    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    error_link = summary.get_by_role("link", name="Enter a title.", exact=True)
    title_field = page.get_by_label("Title", exact=True)
    expect(error_link).to_have_attribute("href", "#" + title_field.get_attribute("id"))
    expect(page.get_by_label("Describe it", exact=True)).to_have_value(description)
    assert_no_axe_violations(page)

    error_link.click()
    expect(title_field).to_be_focused()


@pytest.mark.parametrize("viewport", [{"width": 320, "height": 640}])
def test_sharing_works_at_320_pixels_with_the_keyboard_alone(live_server, page, transactional_db):
    call_command("seed_demo", verbosity=0)
    sign_in(live_server, page, STAFF)
    open_submit_form(live_server, page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    title = unique_title("Keyboard only")
    page.get_by_label("Problem or concern", exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # past the radio group, to the concern's incident link
    page.keyboard.press("Tab")  # the "urgent" box, left unticked
    page.keyboard.press("Tab")  # the title
    page.keyboard.type(title)
    page.keyboard.press("Tab")
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")  # ward: the home ward is already chosen
    page.keyboard.press("Tab")  # category
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # post anonymously
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the Share button
    page.keyboard.press("Enter")
    # The home ward is small: confirm naming it, still without a mouse.
    page.get_by_label(re.compile(r"^Name .+ anyway$")).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Share", exact=True).focus()
    page.keyboard.press("Enter")
    expect_thank_you_page(page)
    with scopes_disabled():
        idea = Idea.objects.get(title=title)
    assert idea.kind == "concern"
    assert idea.is_anonymous
