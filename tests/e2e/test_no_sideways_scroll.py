"""No page scrolls sideways on a 320-pixel phone, for any role.

A crawl per role (staff, QI lead, organisation admin) starts at the organisation's home
page and follows every link on the site it finds, breadth first, up to PAGE_LIMIT pages:
each page must be no wider than the screen (WCAG 1.4.10, reflow). Every page that is
wider is listed in the failure, with its width. Then axe-core's WCAG 2.2 AA rules run on
the main pages at that width.
"""

import datetime
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from ideas import services as idea_services
from ideas.models import Status
from projects import services as project_services
from teams import services as team_services
from tests import factories
from tests.conftest import membership
from triage import services as triage_services

PHONE = {"width": 320, "height": 640}
PAGE_LIMIT = 60
# Links that end a session, change or remove something, or download a file; and
# more than a few pages of one kind (the same path but for ids, or another query).
SKIP = ("logout", "delete", "remove", "download", "format=", ".csv", "export", "/admin/")
VARIANTS_PER_PATH = 2
IDS = re.compile(r"/(?:\d+|[0-9a-f]{8}-[0-9a-f-]{27})(?=/)")


@pytest.fixture
def seeded(organisation, ward, alice, lena, bob, share, categories):
    """An idea in every status, a team, a project with measures, data, audit entries and
    a PDSA cycle, notifications and comments: every kind of page has rows to show."""
    with scopes_disabled():
        oak = factories.WardFactory(
            organisation=organisation,
            site=ward.site,
            name="Oak Ward (Older People's Medicine and Rehabilitation Unit)",
        )
    long_word = "Supercalifragilisticexpialidociousantidisestablishmentarianism"
    ideas = {
        status: share(bob, title=f"{status.label}: night-time drug rounds {long_word}")
        for status in Status
        if status != Status.DUPLICATE
    }
    anonymous = share(bob, title="Broken hoist on Oak Ward", anonymous=True, ward=oak)
    duplicate = share(lena, title="Drug rounds take too long at night")
    lead = membership(lena, organisation)
    with scope(organisation=organisation):
        steps = {
            Status.UNDER_REVIEW: [Status.UNDER_REVIEW],
            Status.IN_PROGRESS: [Status.IN_PROGRESS],
            Status.IMPLEMENTED: [Status.IN_PROGRESS, Status.IMPLEMENTED],
            Status.NOT_TAKEN_FORWARD: [Status.NOT_TAKEN_FORWARD],
        }
        for status, path in steps.items():
            for to_status in path:
                triage_services.idea_triage_status(
                    member=lead,
                    idea=ideas[status],
                    to_status=to_status,
                    message=f"We have looked at this: {long_word}.",
                )
        triage_services.idea_merge(member=lead, idea=duplicate, into=ideas[Status.SUBMITTED])
        idea_services.comment_add(
            member=lead, idea=anonymous, body=f"Thanks, estates are on it. {long_word}"
        )
        idea_services.idea_support(member=membership(alice, organisation), idea=anonymous)
        idea_services.pulse_check_in(
            member=membership(bob, organisation), score=4, tags=["staffing", "teamwork"]
        )
        team = team_services.team_save(
            member=lead,
            name="Patient Flow Improvement Team",
            purpose="Faster, safer discharge.",
            wards=[ward, oak],
            members=[lead, membership(bob, organisation)],
        )
        project = project_services.project_create(
            member=lead,
            title="Discharge before noon on Acute Medical Unit",
            aim=f"Discharge 40% of patients before noon by March. {long_word}",
            team=team,
            wards=[ward, oak],
            ideas=[ideas[Status.IN_PROGRESS]],
        )
        for name, unit in (("Discharges before noon", "%"), ("Length of stay", "days")):
            measure = project_services.measure_save(
                member=lead, project=project, name=name, unit=unit, type="outcome"
            )
            start = datetime.date.today() - datetime.timedelta(weeks=20)
            project_services.measure_points_add(
                member=lead,
                measure=measure,
                points=[
                    (start + datetime.timedelta(weeks=n), 20.0 + (n * 7) % 11 + n)
                    for n in range(16)
                ],
            )
    return {"project": project, "team": team}


def signed_in(browser, live_server, user):
    """A phone-sized browser context with `user` signed in (their session cookie).

    Leads and admins in the fixtures have set up two-factor authentication, which is all
    the two-factor rule asks of them; signing in through the forms is tested elsewhere.
    """
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


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
