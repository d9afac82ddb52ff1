"""The pages measured, and the requests that make each one (for wrk and in-process alike)."""

import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from .env import BARE_PATH, HEALTHZ, POSTGRESQL_TRIP_PATH, REDIS_TRIP_PATH
from .seed import SHARED_TITLE, Fixture, SignedIn

BARE = "bare Django view"


@dataclass(frozen=True)
class Page:
    name: str
    kind: str  # "get", "share" (POST the share form) or "support" (POST the button)
    paths: tuple[str, ...]
    who: str  # "staff" or "lead"
    expect: int
    # For a redirect: a text its Location must contain (not the sign-in or two-factor page).
    location: str | None = None
    # Served by the app's views (profiled and query-counted in-process).
    app: bool = True
    # "session" (cookies, as a browser) or "token" (a read token, as an API client).
    auth: str = "session"


def pages(fixture: Fixture) -> list[Page]:
    slug = fixture.organisation.slug
    board = f"/{slug}/ideas/"
    return [
        Page(HEALTHZ, "get", (HEALTHZ,), "staff", 200, app=False),
        Page(BARE, "get", (BARE_PATH,), "staff", 200, app=False),
        Page(f"{BARE}, one Redis round trip", "get", (REDIS_TRIP_PATH,), "staff", 200, app=False),
        Page(
            f"{BARE}, one PostgreSQL round trip",
            "get",
            (POSTGRESQL_TRIP_PATH,),
            "staff",
            200,
            app=False,
        ),
        Page("ideas board", "get", (board,), "staff", 200),
        Page("API idea list", "get", (f"/api/v1/{slug}/ideas/",), "staff", 200, auth="token"),
        Page("idea page", "get", tuple(f"{board}{i}/" for i in fixture.ideas), "staff", 200),
        Page("share an idea (POST)", "share", (f"{board}new/",), "staff", 200),
        Page(
            "support (POST)",
            "support",
            tuple(f"{board}{i}/support/" for i in fixture.supportable),
            "staff",
            302,
            location=board,
        ),
        Page("triage inbox (QI lead)", "get", (f"/{slug}/triage/",), "lead", 200),
        Page("dashboard overview (QI lead)", "get", (f"/{slug}/dashboards/",), "lead", 200),
    ]


def people(page: Page, fixture: Fixture) -> list[SignedIn]:
    return fixture.leads if page.who == "lead" else fixture.staff


def fixed_fields(page: Page, person: SignedIn, fixture: Fixture, n: int) -> dict:
    """The form fields of a POST that stay the same from request to request."""
    fields = {"csrfmiddlewaretoken": person.csrf_token}
    if page.kind == "share":
        fields |= {
            "kind": "idea",
            "title": f"{SHARED_TITLE} {n}",
            "description": "Shared by the page benchmark: a short description of an idea.",
            "ward": person.ward_id or "",
            "category": fixture.category_id,
        }
    return fields


def form_data(page: Page, person: SignedIn, fixture: Fixture, n: int) -> dict:
    """One POST's fields, as the load tool sends them (for in-process requests)."""
    fields = fixed_fields(page, person, fixture, n)
    if page.kind == "share":
        fields["submission_id"] = str(uuid.uuid4())
    elif page.kind == "support":
        fields["action"] = "support" if n % 2 else "withdraw"
    return fields


def lua_config(page: Page, fixture: Fixture, origin: str) -> str:
    """The Lua table pages.lua reads: one client per signed-in person."""
    clients = [
        {"token": person.token}
        if page.auth == "token"
        else {
            "cookie": person.cookie,
            "body": urlencode(fixed_fields(page, person, fixture, n)),
        }
        for n, person in enumerate(people(page, fixture))
    ]
    config = {
        "kind": page.kind,
        "paths": list(page.paths),
        "clients": clients,
        "origin": origin,
        "expect": page.expect,
    }
    if page.location:
        config["location"] = page.location
    return "return " + _lua(config) + "\n"


def _lua(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, list):
        return "{" + ", ".join(_lua(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_lua(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Lua literal for {type(value).__name__}")
