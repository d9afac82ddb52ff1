"""The board's and the inbox's filter forms, kept with their pages when nothing is searched:
never stale, never another organisation's, and never an error when the cache is down."""

from django.core.cache import cache
from django_scopes import scopes_disabled

from ideas.models import Category
from tests.factories import WardFactory

BOARD = "/city-hospitals/ideas/"
INBOX = "/city-hospitals/triage/"


def filter_panel(response):
    html = response.content.decode()
    start = html.index('aria-label="Filter ideas')
    return html[start : html.index("</form>", start)]


def test_the_cached_form_is_the_form(client_for, bob):
    client = client_for(bob)
    cache.clear()
    rendered = filter_panel(client.get(BOARD))
    assert filter_panel(client.get(BOARD)) == rendered  # now from the cache
    assert filter_panel(client.get(BOARD, {"page": "1"})) == rendered
    assert 'value="newest"' in rendered and 'value="supported"' in rendered


def test_a_new_ward_or_category_shows_at_once(client_for, bob, lena, organisation, ward):
    client = client_for(bob)
    assert "Hummingbird Ward" not in filter_panel(client.get(BOARD))
    with scopes_disabled():
        WardFactory(organisation=organisation, site=ward.site, name="Hummingbird Ward")
        Category.objects.create(organisation=organisation, name="Kestrel matters")
    panel = filter_panel(client.get(BOARD))
    assert "Hummingbird Ward" in panel and "Kestrel matters" in panel
    inbox = filter_panel(client_for(lena).get(INBOX))
    assert "Hummingbird Ward" in inbox and "Kestrel matters" in inbox


def test_a_renamed_ward_is_shown_by_its_new_name(client_for, bob, ward):
    client = client_for(bob)
    assert ward.name in filter_panel(client.get(BOARD))
    with scopes_disabled():
        ward.name = "Renamed Ward"
        ward.save()
    assert "Renamed Ward" in filter_panel(client.get(BOARD))


def test_another_organisation_never_gets_our_form(client_for, bob, charlie, ward, other_ward):
    ours = filter_panel(client_for(bob).get(BOARD))
    theirs = client_for(charlie).get("/hill-trust/ideas/")
    assert ward.name in ours and ward.name not in filter_panel(theirs)
    assert other_ward.name in filter_panel(theirs)


def test_chosen_filters_are_shown_as_chosen(client_for, bob, ward):
    panel = filter_panel(client_for(bob).get(BOARD, {"ward": ward.pk}))
    assert f'value="{ward.pk}" selected' in panel


def test_the_page_works_with_the_cache_down(client_for, bob, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "improvewell.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    response = client_for(bob).get(BOARD)
    assert response.status_code == 200 and "Filter ideas" in response.content.decode()
