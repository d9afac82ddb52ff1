"""Hostile input outside the organisations: zero 5xx.

Every route that is not under /<org_slug>/, found by walking the URL configuration:
the public pages, /healthz and /readyz, the account page, allauth's pages (sign-in,
sign-up, password reset, email addresses, two-factor authentication, sessions) and
invitations. Routes that carry a token (an invitation, an email confirmation, a
password reset key) are filled with random and hostile tokens. Each is swept with the
shared walker (`walker.py`, pass 1) by a signed-out visitor, a staff member and a QI
lead with two-factor authentication set up; signing out runs last.

The platform admin (/admin/) is swept as a platform admin: every list with hostile
query strings (ordering `o`, search `q`, page `p`, lookups on its declared filters and
on fields it does not declare, date hierarchy parts), change and history pages of real
and hostile ids, the add and change forms with hostile values, autocomplete and
"view on site" with hostile parameters. Deleting and signing out are left out.
"""

import secrets

from django.contrib import admin
from django.contrib.admin.filters import SimpleListFilter
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import get_resolver
from django_scopes import scopes_disabled

from tests.isolation.test_routes import _walk, objects_of_other_organisation
from tests.security.walker import IDS, NUMBERS, Walker

LONG = "A" * 2000
# Hostile tokens, each safe in one path segment.
TOKENS = ["x", secrets.token_urlsafe(32), LONG, "%00%0A", "%E2%80%A8", "-1", "a:b:c"]
# A sweep that signed a person out (or removed their authenticator) would hide the rest.
ACCOUNT_LAST = {"account_logout", "mfa_deactivate_totp"}
ORDERINGS = ["1.-99.x", "9" * 30, "²"]
DATE_PARTS = [("year", "99999"), ("year", "0"), ("month", "13"), ("day", "32"), ("year", "²")]


def _account_paths():
    """Every route outside /<org_slug>/ and /admin/, tokens filled in hostile ways."""
    paths = []
    for route, _ in _walk(get_resolver().url_patterns):
        if "org_slug" in route or route.startswith("admin/"):
            continue
        route = route.replace("^", "").replace("$", "")
        if "(?P<uidb36>" in route:
            paths += [f"/accounts/password/reset/key/{u}-{t}/" for u in ("1", "zz") for t in TOKENS]
        elif "(?P<key>" in route:
            paths += [f"/accounts/confirm-email/{t}/" for t in TOKENS]
        elif "<str:token>" in route:
            paths += [route.replace("<str:token>", t) for t in TOKENS]
        else:
            paths.append(f"/{route}")
    return [f"/{p.lstrip('/')}" for p in paths]


def _account_people(organisation, bob, lena):
    visitor = Client(raise_request_exception=False)
    people = [("visitor", visitor)]
    for name, user in (("staff", bob), ("qi_lead", lena)):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        people.append((name, client))
    return people


def test_account_and_public_pages_meet_hostile_input_without_a_5xx(
    organisation, bob, lena, quiet_request_log, django_capture_on_commit_callbacks
):
    paths = sorted(_account_paths(), key=lambda p: "logout" in p or "deactivate" in p)
    failures, requests, accepted = [], 0, 0
    for name, client in _account_people(organisation, bob, lena):
        walker = Walker(client, "/", django_capture_on_commit_callbacks, run_last=ACCOUNT_LAST)
        try:
            for path in paths:
                walker.sweep_page(path)
            for page_path, form in walker.deferred:
                walker.sweep_form(page_path, form)
        finally:
            walker.close()
        if walker.failures:
            failures.append(f"as {name}:\n{walker.report()}")
        requests += walker.requests
        accepted += walker.accepted_posts
        # The sweep reached the pages each person may read.
        assert "/accounts/login/" in walker.readable or name != "visitor"
        assert "/account/" in walker.readable or name == "visitor"
    assert not failures, "\n".join(failures)
    assert accepted >= 5, "no hostile form was accepted: the sweep posted nothing valid"
    print(f"{len(paths)} paths, {requests} requests, {accepted} posts accepted")


def _lookups(model_admin):
    """Query strings aimed at a list's declared filters and past them."""
    fields = ["id", "pk"]
    for list_filter in model_admin.list_filter:
        if isinstance(list_filter, type) and issubclass(list_filter, SimpleListFilter):
            fields.append(list_filter.parameter_name)
        else:
            fields.append(list_filter[0] if isinstance(list_filter, tuple) else list_filter)
    # The search box (`q`) is a form on the page: the sweep fills it.
    queries = [{"o": o} for o in ORDERINGS] + [{"p": v} for v in IDS[:2]]
    queries += [{"_to_field": "password"}, {"e": "1"}, {"all": ""}]
    values = [*IDS, *NUMBERS, "2026-02-30", "maybe"]
    lookups = ["", "__exact", "__gt", "__in", "__isnull", "__id__exact"]
    for number, field in enumerate(fields):
        for i in range(2):  # each field two lookups, each lookup on some field
            lookup = lookups[(number * 2 + i) % len(lookups)]
            queries.append({f"{field}{lookup}": values[(number * 2 + i) % len(values)]})
    if model_admin.date_hierarchy:
        for part, value in DATE_PARTS:
            queries.append({f"{model_admin.date_hierarchy}__{part}": value})
    return queries


def _admin_paths(model, model_admin):
    base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
    with scopes_disabled():
        first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    pages = [f"{base}add/", f"{base}1e308/change/", f"{base}%00/history/"]
    if first is not None:
        pages.append(f"{base}{first}/change/")
    return base, pages


def test_the_platform_admin_meets_hostile_input_without_a_5xx(
    platform_admin, organisation, quiet_request_log, django_capture_on_commit_callbacks
):
    objects_of_other_organisation(organisation)
    client = Client(raise_request_exception=False)
    client.force_login(platform_admin)
    # Forms are swept once each (a change form of any object has the same shape).
    walker = Walker(
        client,
        "/admin/",
        django_capture_on_commit_callbacks,
        run_last={"logout"},
        posts=6,
        values=4,
    )
    lists = 0
    try:
        for model, model_admin in admin.site._registry.items():
            changelist, pages = _admin_paths(model, model_admin)
            for query in _lookups(model_admin):
                walker.request("get", changelist, query)
            walker.sweep_page(changelist)
            lists += changelist in walker.readable
            for path in pages:
                walker.sweep_page(path)
            walker.request("get", "/admin/autocomplete/", _autocomplete(model))
        content_type = ContentType.objects.first().pk
        for value in IDS[:4]:
            walker.request("get", f"/admin/r/{content_type}/{value}/", {})
            walker.request("get", f"/admin/r/{value}/1/", {})
    finally:
        walker.close()
    assert not walker.failures, walker.report()
    assert lists == len(admin.site._registry), "some admin lists could not be read"
    print(f"admin: {walker.requests} requests, {walker.accepted_posts} posts accepted")


def _autocomplete(model):
    return {
        "app_label": model._meta.app_label,
        "model_name": model._meta.model_name,
        "field_name": "organisation",
        "term": "\x00" + LONG,
        "page": "1e308",
    }
