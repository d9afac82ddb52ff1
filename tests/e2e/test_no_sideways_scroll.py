"""No page scrolls sideways on a 320-pixel phone, for any role.

A crawl per role (staff, QI lead, organisation admin) starts at the organisation's home
page and follows every link on the site it finds, breadth first, up to PAGE_LIMIT pages:
each page must be no wider than the screen (WCAG 1.4.10, reflow). Every page that is
wider is listed in the failure, with its width. Then axe-core's WCAG 2.2 AA rules run on
the main pages at that width.
"""

import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.e2e.phone import PHONE, seed, signed_in

PAGE_LIMIT = 60
# Links that end a session, change or remove something, or download a file; and
# more than a few pages of one kind (the same path but for ids, or another query).
SKIP = (
    "logout",
    "delete",
    "remove",
    "download",
    "format=",
    ".csv",
    ".zip",
    ".json",
    "export",
    "/admin/",
)
VARIANTS_PER_PATH = 2
IDS = re.compile(r"/(?:\d+|[0-9a-f]{8}-[0-9a-f-]{27})(?=/)")


@pytest.fixture
def seeded(organisation, ward, alice, lena, bob, share):
    return seed(organisation, ward, alice=alice, lena=lena, bob=bob, share=share)


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def crawl(page, live_server, start: str) -> tuple[list[str], list[str]]:
    """Visit up to PAGE_LIMIT pages from `start`; return (visited, offenders)."""
    origin = live_server.url
    queue, seen, per_path = deque([origin + start]), {origin + start}, {}
    visited, offenders = [], []
    while queue and len(visited) < PAGE_LIMIT:
        url = queue.popleft()
        response = page.goto(url)
        if response is None or response.status >= 400 or not page.url.startswith(origin):
            continue
        visited.append(url)
        width = page_width(page)
        if width > PHONE["width"]:
            offenders.append(f"{url[len(origin) :]} is {width}px wide")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = urldefrag(href).url
            parts = urlsplit(href)
            if not href.startswith(origin) or href in seen or any(s in href for s in SKIP):
                continue
            shape = IDS.sub("/<id>", parts.path)
            if per_path.setdefault(shape, 0) >= VARIANTS_PER_PATH:
                continue
            per_path[shape] += 1
            seen.add(href)
            queue.append(href)
    return visited, offenders


@pytest.mark.parametrize("role", ["bob", "lena", "alice"])
def test_no_page_a_role_reaches_scrolls_sideways_at_320_pixels(
    request, role, live_server, browser, seeded, transactional_db, settings
):
    user = request.getfixturevalue(role)
    context = signed_in(browser, live_server, user)
    try:
        visited, offenders = crawl(context.new_page(), live_server, "/city-hospitals/")
    finally:
        context.close()
    assert len(visited) >= 15, f"the crawl reached only {visited}"
    assert not offenders, (
        f"{len(offenders)} of {len(visited)} pages scroll sideways at 320px as {role}:\n"
        + "\n".join(offenders)
    )


def test_the_main_pages_pass_axe_at_320_pixels(
    live_server, browser, seeded, alice, transactional_db, assert_no_axe_violations
):
    project = seeded["project"]
    context = signed_in(browser, live_server, alice)
    try:
        page = context.new_page()
        for path in (
            "",
            "ideas/",
            "ideas/?kind=idea",
            "you-said-we-did/",
            "notifications/",
            "pulse/",
            "manage/staff/",
            f"projects/{project.pk}/",
        ):
            page.goto(f"{live_server.url}/city-hospitals/{path}")
            assert page_width(page) <= PHONE["width"], page.url
            assert_no_axe_violations(page)
    finally:
        context.close()
