"""The walker that the hostile-input tests share: pools of hostile values, a parser for
the forms and links of a page, and a client wrapper that records every 5xx.

Pass 1 (`Walker.sweep_page`) is the deterministic sweep: every query parameter that a
page's GET forms declare gets every value of the pool for its kind (dates, numbers,
ids, text), one parameter at a time, and a date range both ends at each far-off date; a
few parameters any view might read undeclared get the pools too, a few at a time. Every
form the page posts (each shape once) is sent with hostile values ONE FIELD AT A TIME,
the other fields keeping valid values, so that the hostile value is stored whenever the
app accepts it; forms that htmx posts are also sent as htmx requests. Pass 3
(`Walker.read_everything`) reads pages and the pages they link to once.
"""

import itertools
import re
import sys
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

from django.core.signals import got_request_exception
from django.urls import Resolver404, resolve
from django.utils import timezone

# Query parameters any view might read without declaring them in a form.
COMMON_PARAMETERS = ["page", "next", "format", "table", "sort", "ward", "ideas", "start", "end"]
# Routes that change the signed-in person or remove objects run last, so that they
# do not hide the rest (an admin who turned email off would not see an email fail; a
# removed data point can no longer break its chart).
RUN_LAST = {
    "email_preferences",
    "profile",
    "member_deactivate",
    "invitation_revoke",
    "driver_remove",
    "point_remove",
}
# A bound on the posts a single form gets in the sweep (the pools are cycled round
# robin over its fields, so every field gets its first values before any gets more).
MAX_POSTS_PER_FORM = 24
# Requests per page that put values in the undeclared parameters, all at once; the
# pools are rotated from page to page so that each value is tried on some pages.
UNDECLARED_ROUNDS = 3
# A bound on the pages read by following links in pass 3.
MAX_PAGES_READ = 400

# Hostile values by the kind of field they are aimed at, the most telling first.
ARABIC_INDIC_DATE = "2026-01-01".translate({ord(d): chr(0x0660 + int(d)) for d in "0123456789"})
DATES = ["0001-01-01", "9999-12-31", "2026-02-30", "1900-01-01", "-2026-01-01", ARABIC_INDIC_DATE]
NUMBERS = ["1e308", "-1e308", "nan", "-Infinity", "9" * 400, "1e-320", "²", "-332893"]
IDS = [
    "²",
    "-332893",
    "\u0661\u0662",  # 12 in Arabic-Indic digits
    "0",
    "9" * 30,
    "1e308",
    "00000000-0000-0000-0000-0",
    "1 OR 1=1",
]
TEXT = [
    "line\nbreak",
    "-332893",
    " ",
    # A spreadsheet paste of extreme but finite numbers.
    "2001-01-01, 1e308\n2001-01-02\t-1e308",
    "carriage\rreturn",
    "nul\x00byte",
    "escape\x1b[31m",
    "line\u2028separator",
    '=HYPERLINK("https://evil.example","x")',
    "<script>alert(1)</script>",
    "A" * 10_000,
    "",
]
# Where a redirect goes: no slash or dot (not a URL to Django's redirect()), off-site.
NEXT = ["-332893", "https://evil.example/x", "//evil.example/x", " "]
POOLS = {"date": DATES, "number": NUMBERS, "choice": IDS, "text": TEXT, "next": NEXT}


def kind_of(name: str, field: dict) -> str:
    if name == "next":
        return "next"
    if field.get("type") == "date" or "date" in name or name in ("start", "end"):
        return "date"
    if field.get("type") == "number" or name in ("value", "target", "score"):
        return "number"
    if field["choices"] or name in ("ward", "site", "category", "team", "ideas", "page"):
        return "choice"
    return "text"


class Page(HTMLParser):
    """The forms of a page (method, action, fields with their valid values) and its links."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self.links = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self.forms.append(
                {
                    "method": (a.get("method") or "get").lower(),
                    "action": a.get("action"),
                    "htmx": "hx-post" in a,
                    "f": {},
                }
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
            field["required"] = "required" in a
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            if kind in ("checkbox", "radio"):
                field["choices"].append(value)
                if "checked" in a:
                    field["default"] = value
            else:
                field["default"] = value
        elif tag == "select":
            self._select = fields.setdefault(a["name"], {"choices": [], "default": None})
            self._select["required"] = "required" in a
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


def parse(response, path):
    page = Page()
    # A streamed download (a CSV export) is read whole: it has no links or forms to follow.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    page.feed(body.decode(errors="replace"))
    for form in page.forms:
        form["action"] = form["action"] or path
        form["f"].pop("csrfmiddlewaretoken", None)
    return page


_OBJECT_ID = re.compile(r"/(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?=/)")


_ONCE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def shape(form) -> tuple:
    """The same form for another object (a status form per idea) has the same shape."""
    path = _OBJECT_ID.sub("/#", urlsplit(form["action"]).path)
    return form["method"], path, tuple(sorted(form["f"]))


def route_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).url_name
    except Resolver404:
        return None


class Walker:
    """Sends requests, runs the work sent after commit, and records every failure."""

    def __init__(
        self, client, prefix, capture, *, run_last=RUN_LAST, posts=MAX_POSTS_PER_FORM, values=None
    ):
        """`prefix`: forms are posted, and links followed, only below it; `run_last`: the
        route names whose forms wait for `deferred`; `posts`: the bound per form;
        `values`: the bound on the values of each pool a query parameter gets."""
        self.client = client
        self.prefix = prefix
        self.capture = capture
        self.run_last = run_last
        self.max_posts = posts
        self.values = values
        self.failures = {}  # one line for each route and error, with how often it happened
        self.requests = 0
        self.accepted_posts = 0
        self.pages_swept = 0
        self.readable = set()  # paths that answered a GET with a page
        self.answers = {}  # path -> the response to its last plain GET (None if it failed)
        self.exception = None
        self.swept = set()
        self.deferred = []  # (page path, form) aimed at RUN_LAST routes
        self._fresh = itertools.count(1)
        got_request_exception.connect(self._on_exception)

    def _on_exception(self, sender, request, **kwargs):
        self.exception = repr(sys.exc_info()[1])[:300]

    def close(self):
        got_request_exception.disconnect(self._on_exception)

    def request(self, method, path, data, client=None, htmx=False):
        self.exception = None
        self.requests += 1
        headers = {"HX-Request": "true"} if htmx else {}
        try:
            with self.capture(execute=True):
                response = getattr(client or self.client, method)(path, data, headers=headers)
        except Exception as exc:  # work run after commit (an email) failed
            self._fail(method, path, data, htmx, f"after commit {exc!r}")
            return None
        if response.status_code >= 500:
            self._fail(method, path, data, htmx, f"{response.status_code} {self.exception}")
        return response

    def _fail(self, method, path, data, htmx, error):
        key = (method, _OBJECT_ID.sub("/#", urlsplit(path).path), error)
        if key in self.failures:
            self.failures[key][1] += 1
        else:
            request = f"{method.upper()}{' (htmx)' if htmx else ''} {path} {_short(data)}"
            self.failures[key] = [f"{request}: {error}", 1]

    def report(self):
        return "\n".join(
            line + (f" (and {count - 1} more like it)" if count > 1 else "")
            for line, count in self.failures.values()
        )

    def page(self, path):
        response = self.request("get", path, {})
        self.answers[path] = response
        if response is None or response.status_code != 200:
            return None
        self.readable.add(path)
        return parse(response, path)

    # Pass 1 -----------------------------------------------------------------------

    def valid(self, name, field):
        """A value the form accepts for this field, or None to leave it out."""
        choices = [c for c in field["choices"] if c != ""]
        if field.get("type") == "checkbox" and len(choices) <= 1:
            return field["default"]  # a browser sends an unticked box as nothing
        if (field["default"] or "").strip():
            return field["default"]
        if choices:
            # An optional list keeps its empty choice (a driver's parent must stay empty).
            return choices[0] if field.get("required") or "" not in field["choices"] else ""
        n = next(self._fresh)
        kind = kind_of(name, field)
        if kind == "date":  # distinct days, each later than the last (a start, then its end)
            return (timezone.localdate() - timedelta(days=3000 - n)).isoformat()
        if kind == "number":
            return str(n % 5 + 1)
        if field.get("type") == "email":
            return f"hostile.{n}@city.nhs.uk"
        return f"Fine {n}"

    def sweep_page(self, path, *, last=False):
        page = self.page(path)
        if page is None:
            return
        self.sweep_query(path, page)
        for form in page.forms:
            if form["method"] != "post" or not form["action"].startswith(self.prefix):
                continue
            if not last and route_name(form["action"]) in self.run_last:
                self.deferred.append((path, form))
            else:
                self.sweep_form(path, form)

    def sweep_query(self, path, page):
        declared = set()
        for form in page.forms:
            if form["method"] != "get":
                continue
            action = urlsplit(form["action"]).path
            for name, field in form["f"].items():
                declared.add(name)
                key = ("get", _OBJECT_ID.sub("/#", action), name)
                if key in self.swept:
                    continue
                self.swept.add(key)
                for value in POOLS[kind_of(name, field)][: self.values]:
                    self.request("get", action, {name: value})
            # A range with both ends far off passes the checks that compare its ends.
            dates = tuple(n for n, f in form["f"].items() if kind_of(n, f) == "date")
            key = ("get", _OBJECT_ID.sub("/#", action), dates)
            if len(dates) > 1 and key not in self.swept:
                self.swept.add(key)
                for value in DATES[: self.values]:
                    self.request("get", action, dict.fromkeys(dates, value))
        undeclared = [n for n in COMMON_PARAMETERS if n not in declared]
        pools = [POOLS[kind_of(n, {"choices": []})] for n in undeclared]
        for i in range(UNDECLARED_ROUNDS):
            i += UNDECLARED_ROUNDS * self.pages_swept
            query = {n: pool[i % len(pool)] for n, pool in zip(undeclared, pools, strict=True)}
            self.request("get", path, query)
        self.pages_swept += 1

    def sweep_form(self, page_path, form):
        key = shape(form)
        if key in self.swept:
            return
        self.swept.add(key)
        names = list(form["f"])
        if "next" not in names:
            names.append("next")  # a view may read it without the form carrying it
        pools = {n: POOLS[kind_of(n, form["f"].get(n, {"choices": []}))] for n in names}
        plan = [
            (name, pools[name][i])
            for i in range(max(map(len, pools.values())))
            for name in names
            if i < len(pools[name])
        ][: self.max_posts]
        for i, (name, value) in enumerate(plan):
            data = {n: v for n, f in form["f"].items() if (v := self.valid(n, f)) is not None}
            data[name] = value
            # A form that htmx posts is answered with a fragment: half the posts ask for it.
            htmx = form["htmx"] and i % 2 == 1
            response = self.request("post", form["action"], data, htmx=htmx)
            if response is None or response.status_code >= 400:
                continue  # refused (a form with errors answers 400)
            self.accepted_posts += 1
            if any(_ONCE.fullmatch(f["default"] or "") for f in form["f"].values()):
                # A one-time value (a submission id) would make the next post a repeat
                # of this one: read the page again for a fresh form.
                form = self.same_form(page_path, form)
                if form is None:
                    return

    def same_form(self, page_path, form):
        page = self.page(page_path)
        if page is None:
            return None
        forms = [f for f in page.forms if shape(f) == shape(form)]
        exact = [f for f in forms if f["action"] == form["action"]]
        return (exact or forms or [None])[0]

    # Pass 3 -----------------------------------------------------------------------

    def read_everything(self, paths):
        """Read the pages, and the organisation's pages they link to (downloads too), once."""
        seen, queue = set(), list(paths)
        while queue and len(seen) < MAX_PAGES_READ:
            url = urlsplit(queue.pop(0))
            path, query = url.path, parse_qs(url.query)
            # The same page with other values of the same parameters (another sort
            # order) is read once.
            key = (_OBJECT_ID.sub("/#", path) if query else path, tuple(sorted(query)))
            if key in seen or not path.startswith(self.prefix):
                continue
            seen.add(key)
            response = self.request("get", path, query)
            if response is None or response.status_code != 200:
                continue
            if response["Content-Type"].startswith("text/html"):
                queue.extend(urljoin(url.geturl(), link) for link in parse(response, path).links)
        return seen


def _short(data):
    return {k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v) for k, v in data.items()}
