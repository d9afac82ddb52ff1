"""Hostile input never answers 5xx.

An organisation admin (two-factor set up, so every role check passes) walks every
route under /<org_slug>/, found by walking the URL configuration as the isolation
test does. On each page hypothesis generates values for the query parameters the
page's GET forms declare (and a few every view might read, and one nobody reads),
and posts every form on the page back to its action with some fields replaced by
hostile values: control characters, huge, non-finite and negative numbers, Unicode
digits, far-off dates, very long strings, nothing at all. Objects created by one
route (an idea titled with a newline, a measure value of 1e308) are then used by
the next, and a last pass reads every page again, so input that is stored and only
breaks a later page is caught too. Work sent after commit (emails) is run after
each request: an exception there is a failure as well.

Bounded: a few examples per route, derandomised so that a run is repeatable.
"""

import sys
from html.parser import HTMLParser

from django.core.signals import got_request_exception
from django.test import Client
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.isolation.test_routes import _fill, objects_of_other_organisation, organisation_routes

EXAMPLES_PER_ROUTE = 3
# Query parameters any view might read without declaring them in a form.
COMMON_PARAMETERS = ["page", "next", "format", "table", "sort", "ward", "ideas", "start", "end"]
# Routes that change the signed-in person or remove objects run last, so that they
# do not hide the rest (an admin who turned email off would not see an email fail).
RUN_LAST = {
    "email_preferences",
    "profile",
    "member_deactivate",
    "invitation_revoke",
    "driver_remove",
    "point_remove",
}

# Hostile values by the kind of field they are aimed at; any field may also get any
# generated text or number.
DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "1900-01-01"]
NUMBERS = ["1e308", "-1e308", "1e999", "inf", "-Infinity", "nan", "9" * 400, "²", "-0"]
IDS = ["²", "١٢", "\U0001d7d7", "-1", "0", "9" * 30, "1e308", "nan", "00000000-0000-0000-0000-0"]
TEXT = [
    "",
    " ",
    "line\nbreak",
    "carriage\rreturn",
    "tab\there",
    "bell\x07",
    "escape\x1b[31m",
    "nul\x00byte",
    "line\u2028separator",
    '=HYPERLINK("https://evil.example","x")',
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "A" * 10_000,
    "☃" * 300,
    "/\\evil.example",
]
POOLS = {"date": DATES, "number": NUMBERS, "choice": IDS, "text": TEXT}

generated_values = st.one_of(
    st.text(max_size=200),
    st.floats().map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


def kind_of(name: str, field: dict) -> str:
    if field.get("type") == "date" or "date" in name or name in ("start", "end"):
        return "date"
    if field.get("type") == "number" or name in ("value", "target", "score"):
        return "number"
    if field["choices"] or name in ("ward", "site", "category", "team", "ideas", "page"):
        return "choice"
    return "text"


class Forms(HTMLParser):
    """The forms of a page: method, action and fields with their valid values."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"method": (a.get("method") or "get").lower(), "action": a.get("action"), "f": {}}
            )
        if not self.forms or not a.get("name"):
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        fields = self.forms[-1]["f"]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                if kind == "submit" and a.get("value") is not None:
                    fields.setdefault(a["name"], {"choices": [], "default": None})
                    fields[a["name"]]["choices"].append(a["value"])
                return
            field = fields.setdefault(a["name"], {"choices": [], "default": None, "type": kind})
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio"):
                field["choices"].append(value)
                if "checked" in a:
                    field["default"] = value
            else:
                field["default"] = value
        elif tag == "select":
            self._select = fields.setdefault(a["name"], {"choices": [], "default": None})
        elif tag == "textarea":
            self._textarea = fields.setdefault(a["name"], {"choices": [], "default": ""})

    def _option(self, a):
        value = a.get("value", "")
        self._select["choices"].append(value)
        if "selected" in a:
            self._select["default"] = value

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["default"] = (self._textarea["default"] or "") + data


def forms_of(response, path):
    parser = Forms()
    parser.feed(response.content.decode(errors="replace"))
    for form in parser.forms:
        form["action"] = form["action"] or path
    return parser.forms


# Drawn independently of the pages, so that hypothesis sees the same draws whatever
# earlier examples wrote; `_apply` maps a plan onto the forms the page has now.
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


class Recorder:
    def __init__(self, capture):
        self.failures = []
        self.capture = capture
        self.exception = None
        got_request_exception.connect(self._on_exception)

    def _on_exception(self, sender, request, **kwargs):
        self.exception = repr(sys.exc_info()[1])[:300]

    def close(self):
        got_request_exception.disconnect(self._on_exception)

    def request(self, client, method, path, data):
        self.exception = None
        try:
            with self.capture(execute=True):
                response = getattr(client, method)(path, data)
        except Exception as exc:  # work run after commit (an email) failed
            self.failures.append(f"{method.upper()} {path} {_short(data)}: after commit {exc!r}")
            return None
        if response.status_code >= 500:
            self.failures.append(
                f"{method.upper()} {path} {_short(data)}: {response.status_code} {self.exception}"
            )
        return response


def _short(data):
    return {k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v) for k, v in data.items()}


def _ordered_routes():
    routes = organisation_routes()
    return [r for r in routes if r[1].name not in RUN_LAST] + [
        r for r in routes if r[1].name in RUN_LAST
    ]


def _idea_ids(organisation):
    from ideas.models import Idea

    with scopes_disabled():
        return sorted(
            str(pk)
            for pk in Idea.objects.filter(organisation=organisation).values_list("pk", flat=True)
        )


def test_no_page_or_form_answers_5xx_to_hostile_input(
    alice, organisation, django_capture_on_commit_callbacks
):
    objects = objects_of_other_organisation(organisation)
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    recorder = Recorder(django_capture_on_commit_callbacks)
    hypothesis_settings = settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        derandomize=True,
        database=None,
        # Pages change as earlier examples write rows, so replaying an example to
        # shrink it is not possible: failures are recorded, not raised, instead.
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )

    try:
        for route, _ in _ordered_routes():

            @hypothesis_settings
            @given(plan=PLAN)
            def drive(plan, route):
                # Any idea of the organisation, including those that earlier routes created.
                ideas = _idea_ids(organisation)
                values = {**objects, "idea_id": ideas[plan["idea"] % len(ideas)]}
                path = _fill(route, {"org_slug": organisation.slug, **values})
                page = recorder.request(client, "get", path, {})
                if page is None or page.status_code != 200:
                    return
                forms = forms_of(page, path)
                names = sorted(
                    {n for f in forms if f["method"] == "get" for n in f["f"]}
                    | set(COMMON_PARAMETERS)
                )
                field_plans = iter(plan["fields"] * 10)
                fields = {
                    n: f for form in forms if form["method"] == "get" for n, f in form["f"].items()
                }
                query = {n: _apply(n, f, next(field_plans)) for n, f in fields.items()}
                for name, field_plan in plan["query"]:
                    name = name if isinstance(name, str) else names[name % len(names)]
                    query[name] = _apply(name, {"choices": [], "default": None}, field_plan)
                recorder.request(client, "get", path, query)
                for form in forms:
                    action = form["action"]
                    if form["method"] == "post" and action.startswith(f"/{organisation.slug}/"):
                        data = {n: _apply(n, f, next(field_plans)) for n, f in form["f"].items()}
                        recorder.request(client, "post", action, data)

            drive(route=route)

        # Stored input must not break a later page: read everything once more.
        for route, _ in _ordered_routes():
            for idea_id in _idea_ids(organisation) if "idea_id" in route else [None]:
                values = {"org_slug": organisation.slug, **objects, "idea_id": idea_id}
                recorder.request(client, "get", _fill(route, values), {})
    finally:
        recorder.close()

    assert not recorder.failures, "\n".join(dict.fromkeys(recorder.failures))
