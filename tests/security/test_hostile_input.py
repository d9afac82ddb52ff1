"""Hostile input never answers 5xx.

An organisation admin (two-factor set up, so every role check passes) walks every
route under /<org_slug>/, found by walking the URL configuration as the isolation
test does, in four passes (the walker, its pools and pass 1 are in `walker.py`,
shared with the crawls as other roles and outside the organisations):

1. A deterministic sweep, route by route, so that what one route stores (an idea
   titled with a newline, a data point of 1e308) is there for the routes after it.
   Every query parameter that a page's GET forms declare is tried with every value of
   the pool for its kind (dates, numbers, ids, text), one parameter at a time, and a
   date range with both ends at each far-off date; a few parameters that any view might
   read undeclared get the pools too, a few at a time. Every form that a page posts
   (each shape of form once) is sent with hostile values ONE FIELD AT A TIME, the
   other fields keeping valid values (the field's default, its first choice, or a
   fresh date, number or text), so that the form is otherwise valid and the hostile
   value is stored whenever the app accepts it. The pools are cycled round robin over
   the fields (and a `next` the form may not carry), the most telling values first,
   up to a bound per form; forms that htmx posts are also sent as htmx requests.
2. A random walk: hypothesis (derandomised, so that a run is repeatable) draws a route
   and generated values (any text, floats, huge integers) for several fields at once.
3. Stored input must not break anything later: every idea of the organisation gets a
   comment from a colleague and a status change (both email the person who shared
   it), then every page is read again, following the organisation's links the pages
   show (so a new measure or project, and the CSV downloads, are read too).
4. The routes that change the signed-in person or remove objects are swept last, so
   that they do not hide the rest, and every route is read once more.

Work sent after commit (emails) is run after each request: an exception there is a
failure as well. Failures are collected and reported at the end, one line for each
route and error. About 1,400 requests: 45 to 70 s on a busy 2-core machine.
"""

import time

import pytest
from django.test import Client
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.isolation.test_routes import _fill, objects_of_other_organisation, organisation_routes
from tests.security.walker import (
    COMMON_PARAMETERS,
    POOLS,
    RUN_LAST,
    TEXT,
    Walker,
    kind_of,
    route_name,
)

# Examples of the random walk, each on a route that hypothesis chooses.
RANDOM_EXAMPLES = 25


generated_values = st.one_of(
    st.text(max_size=200),
    st.floats().map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


def _ordered_routes():
    routes = organisation_routes()
    return [r for r, p in routes if p.name not in RUN_LAST], [
        r for r, p in routes if p.name in RUN_LAST
    ]


def _ideas(organisation):
    from ideas.models import Idea

    with scopes_disabled():
        return list(Idea.objects.filter(organisation=organisation).order_by("pk"))


# Pass 2: drawn independently of the pages, so that hypothesis sees the same draws
# whatever earlier examples wrote; `_apply` maps a plan onto the forms the page has now.
FIELD_PLAN = st.tuples(st.integers(0, 5), st.integers(0, 10**6), generated_values)
PLAN = st.fixed_dictionaries(
    {
        "idea": st.integers(0, 10**6),
        "query": st.lists(
            st.tuples(st.integers(0, 10**6) | st.text(min_size=1, max_size=10), FIELD_PLAN),
            max_size=4,
        ),
        "fields": st.lists(FIELD_PLAN, min_size=24, max_size=24),
    }
)


def _apply(name, field, plan):
    """A valid value (the default, or any of the choices) or a hostile one."""
    mode, pick, generated = plan
    choices = [c for c in field["choices"] if c != ""]
    if mode in (2, 3, 4):  # half of the time: aimed at the kind of field
        pool = POOLS[kind_of(name, field)]
        return pool[pick % len(pool)]
    if mode == 5:
        return generated
    if mode == 1 and choices:
        return choices[pick % len(choices)]
    if field["default"] not in (None, ""):
        return field["default"]
    return choices[pick % len(choices)] if choices else "ok"


def _random_walk(walker, routes, organisation, objects):
    @settings(
        max_examples=RANDOM_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        # Pages change as earlier examples write rows, so replaying an example to
        # shrink it is not possible: failures are recorded, not raised, instead.
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(route=st.sampled_from(routes), plan=PLAN)
    def drive(route, plan):
        ideas = [str(idea.pk) for idea in _ideas(organisation)]
        values = {**objects, "idea_id": ideas[plan["idea"] % len(ideas)]}
        path = _fill(route, {"org_slug": organisation.slug, **values})
        page = walker.page(path)
        if page is None:
            return
        forms = page.forms
        names = sorted(
            {n for f in forms if f["method"] == "get" for n in f["f"]} | set(COMMON_PARAMETERS)
        )
        field_plans = iter(plan["fields"] * 10)
        fields = {n: f for form in forms if form["method"] == "get" for n, f in form["f"].items()}
        query = {n: _apply(n, f, next(field_plans)) for n, f in fields.items()}
        for name, field_plan in plan["query"]:
            name = name if isinstance(name, str) else names[name % len(names)]
            query[name] = _apply(name, {"choices": [], "default": None}, field_plan)
        walker.request("get", path, query)
        for form in forms:
            action = form["action"]
            posted = form["method"] == "post" and action.startswith(walker.prefix)
            if posted and route_name(action) not in RUN_LAST:
                data = {n: _apply(n, f, next(field_plans)) for n, f in form["f"].items()}
                walker.request("post", action, data)

    drive()


def _follow_up(walker, organisation, colleague):
    """Every idea, whatever it was given, takes a comment and a status change.

    The status change carries a hostile message (stored in the idea's timeline); if
    that is refused, a plain one, so that every idea's status email is sent.
    """
    from ideas.models import TRANSITIONS, Status

    for number, idea in enumerate(_ideas(organisation)):
        walker.request(
            "post",
            f"/{organisation.slug}/ideas/{idea.pk}/comments/",
            {"body": "Thank you, we are looking at this."},
            client=colleague,
        )
        allowed = [s for s in Status if s in TRANSITIONS[idea.status] and s != Status.DUPLICATE]
        if not allowed:
            continue
        for message in (TEXT[number % len(TEXT)], "Thank you."):
            walker.request(
                "post",
                f"/{organisation.slug}/triage/{idea.pk}/status/",
                {"to_status": allowed[0].value, "message": message},
                htmx=number % 2 == 1,  # the triage inbox changes a status through htmx
            )
            with scopes_disabled():
                idea.refresh_from_db(fields=["status"])
            if idea.status == allowed[0]:
                break


def test_no_page_or_form_answers_5xx_to_hostile_input(
    alice,
    bob,
    organisation,
    categories,
    lift_submission_limit,
    quiet_request_log,
    django_capture_on_commit_callbacks,
):
    objects = objects_of_other_organisation(organisation)
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    colleague = Client(raise_request_exception=False)
    colleague.force_login(bob)
    walker = Walker(client, f"/{organisation.slug}/", django_capture_on_commit_callbacks)
    routes, last_routes = _ordered_routes()

    def path_of(route, idea_id=objects["idea_id"]):
        return _fill(route, {"org_slug": organisation.slug, **objects, "idea_id": idea_id})

    timings, clock = {}, [time.monotonic()]

    def timed(name):
        timings[name] = f"{time.monotonic() - clock[0]:.0f} s"
        clock[0] = time.monotonic()

    try:
        for route in routes:
            walker.sweep_page(path_of(route))
        timed("sweep")
        _random_walk(walker, routes, organisation, objects)
        timed("random")
        _follow_up(walker, organisation, colleague)
        idea_pages = [r for r in routes if "idea_id" in r and path_of(r) in walker.readable]
        read = walker.read_everything(
            [path_of(r) for r in routes if "idea_id" not in r]
            + [path_of(r, idea.pk) for idea in _ideas(organisation) for r in idea_pages]
        )
        timed("stored")
        for route in last_routes:
            walker.sweep_page(path_of(route), last=True)
        for page_path, form in walker.deferred:
            walker.sweep_form(page_path, form)
        final = {path_of(route): walker.request("get", path_of(route), {}) for route in routes}
        timed("last")
    finally:
        walker.close()

    if walker.failures:
        pytest.fail(walker.report(), pytrace=False)
    # The walk covered what it claims: hostile values were stored, pages were read, and
    # the admin could still reach every page at the end.
    assert walker.accepted_posts >= 20 and len(read) >= len(routes)
    assert final[f"/{organisation.slug}/manage/staff/"].status_code == 200
    print(
        f"{walker.requests} requests, {walker.accepted_posts} posts accepted, "
        f"{len(read)} pages read after, time by pass: {timings}"
    )
