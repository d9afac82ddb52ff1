"""A page kept whole across members (improvewell.kept_pages) is the page Django would
render for each of them: their role's menu, their address and unread count, their
messages, their marks; and it keeps none of that for the next member."""

import re

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from django.shortcuts import render
from django.test import RequestFactory
from django.utils.safestring import mark_safe
from django_scopes import scope

from ideas import board, selectors, services, views
from ideas.forms import CommentForm
from ideas.idea_page import body_for_request
from ideas.models import Idea
from improvewell import slots
from organisations.selectors import membership_for_request
from tests.conftest import membership
from tests.teamwork import tess  # noqa: F401 (a fixture)

BOARD = "/city-hospitals/ideas/"
TOKEN = re.compile(r"[A-Za-z0-9]{64}")


def request_of(user, path=BOARD, message=None):
    request = RequestFactory().get(path, secure=True)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.membership = membership_for_request(user, "city-hospitals")
    request.organisation = request.membership.organisation
    request.htmx = False
    if message:
        messages.success(request, message)
    return request


def rendered_by_django(request) -> str:
    """The board as Django's own render() makes it, context processors and all."""
    context, blocks = board._build(request)
    listing, _ = board._finish(request, context["listing"], blocks)
    context["listing"] = mark_safe(slots.filled(listing, request))  # noqa: S308
    return render(request, "ideas/board.html", context).content.decode()


def kept(request) -> str:
    return board.board_page(request).content.decode()


def same_page(html: str) -> str:
    return TOKEN.sub("token", html)  # a form token is masked afresh each time


@pytest.fixture
def ideas(share, bob, lena, organisation, postgresql):
    share(bob, title="Bob's anonymous idea", anonymous=True)
    lenas = share(lena, title="Lena's idea")
    with scope(organisation=organisation):
        services.idea_support(member=membership(bob, organisation), idea=lenas)
        services.comment_add(member=membership(lena, organisation), idea=lenas, body="Thanks")
    return lenas


@pytest.mark.parametrize("who", ["bob", "lena", "alice", "tess"])
def test_the_kept_page_is_the_page_django_renders(who, request, ideas, organisation):
    user = request.getfixturevalue(who)
    with scope(organisation=organisation), transaction.atomic():
        first = kept(request_of(user, message="Your idea has been shared."))
        again = kept(request_of(user, message="Your idea has been shared."))
        django = rendered_by_django(request_of(user, message="Your idea has been shared."))
    assert "Your idea has been shared." in again
    assert same_page(first) == same_page(again) == same_page(django)


@pytest.mark.parametrize("who", ["bob", "lena", "alice", "tess"])
@pytest.mark.parametrize("title", ["Bob's anonymous idea", "Lena's idea"])
def test_the_kept_idea_page_is_the_page_django_renders(who, title, request, ideas, organisation):
    user = request.getfixturevalue(who)
    with scope(organisation=organisation), transaction.atomic():
        idea = Idea.objects.get(title=title)
        path = f"{BOARD}{idea.pk}/"
        pages = []
        for _ in range(2):
            asked = request_of(user, path)
            pages.append(views.detail(asked, "city-hospitals", idea.pk).content.decode())
        asked = request_of(user, path)
        idea = selectors.idea_for_member(asked.membership, idea.pk)
        body = body_for_request(asked, idea, CommentForm())
        context = {"idea": idea, "body": body, "comment_form": CommentForm()}
        django = render(asked, "ideas/detail.html", context).content.decode()
    assert same_page(pages[0]) == same_page(pages[1]) == same_page(django)


def test_nothing_of_one_member_reaches_the_next(bob, lena, ideas, organisation):
    with scope(organisation=organisation), transaction.atomic():
        kept(request_of(bob, message="Only for Bob"))
        other = kept(request_of(membership(bob, organisation).user))
        lenas = kept(request_of(lena))
    assert "Only for Bob" not in other
    assert "bob@city.nhs.uk" in other and "lena@" not in other
    assert "lena@city.nhs.uk" in lenas and "bob@" not in lenas
    assert "You support this" in other and "You support this" not in lenas
    assert "\x00" not in other + lenas
