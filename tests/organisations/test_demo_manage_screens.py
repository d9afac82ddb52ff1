"""Every organisation admin screen of the demo trust, walked as its admin: each page
and download under /demo-trust/manage/ that a link leads to answers, and every screen
the manage home lists has something to show (no screen of the demo is empty)."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command
from django.test import Client
from django_scopes import scopes_disabled

from accounts.models import User
from ideas.models import Idea
from organisations.models import Membership

MANAGE = "/demo-trust/manage/"
# What each screen listed on the manage home shows of the demo's data.
SHOWS = {
    "staff/": ["Ada Admin", "Deactivated"],
    "invitations/": ["Invitations waiting to be accepted", "qi.fellow@example.nhs.uk"],
    "staff/import/": ["Recent imports", "ESR export - new starters.csv"],
    "sites/": ["City General Hospital", "Acute Medical Unit"],
    "settings/": ["demo-trust.nhs.uk", 'value="Demo NHS Foundation Trust"'],
    "concerns/": ["Grace Okafor", "https://incidents.demo-trust.nhs.uk/report"],
    "categories/": ["Patient safety"],
    "pulse-tags/": ["Breaks", "IT systems", "No, retired"],
    "routing/": ["Equipment concerns", "Staff wellbeing ideas"],
    "webhooks/": ["https://hooks.example.nhs.uk/improvewell"],
    "sso/": ['value="demo-trust.nhs.uk"', 'value="00000000-0000-4000-8000-000000000000"'],
    "audit/": ["deactivated member", "changed NHSmail sign-in settings", "added pulse tag"],
}


@pytest.fixture
def demo_admin(db):
    call_command("seed_demo", verbosity=0)
    with scopes_disabled():
        admin = User.objects.get(email="admin@demo-trust.nhs.uk")
    TOTP.activate(admin, generate_totp_secret())
    client = Client()
    client.force_login(admin)
    return client


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8-sig")


def test_every_manage_page_a_link_leads_to_answers(demo_admin):
    seen, todo, failed = set(), [MANAGE], []
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = demo_admin.get(url)
        if response.status_code != 200:
            failed.append((url, response.status_code))
            continue
        if "html" in response.get("Content-Type", ""):
            links = re.findall(r'href="(/demo-trust/manage/[^"#?]*)"', _body(response))
            todo += [link for link in links if link not in seen]
    assert failed == []
    assert len(seen) > 100  # every ward, member, tag, rule and job page among them


def test_every_screen_of_the_demo_has_something_to_show(demo_admin):
    home = _body(demo_admin.get(MANAGE))
    listed = set(re.findall(r'href="/demo-trust/manage/([^"]+)"', home))
    assert set(SHOWS) <= listed
    for path, expected in SHOWS.items():
        page = _body(demo_admin.get(MANAGE + path))
        missing = [text for text in expected if text not in page]
        assert missing == [], path


def test_the_demo_leaver_is_deactivated_and_their_idea_shown_as_a_former_members(demo_admin):
    with scopes_disabled():
        leaver = Membership.objects.get(organisation__slug="demo-trust", is_active=False)
        idea = Idea.objects.filter(author=leaver.user, is_anonymous=False).first()
    assert idea is not None
    page = _body(demo_admin.get(f"/demo-trust/ideas/{idea.pk}/"))
    assert "A former member of staff" in page and leaver.user.name not in page
