"""Likely duplicates by title (ideas.similarity), and the share form's suggestions."""

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled

from ideas.models import Idea, Status
from ideas.similarity import similar_ideas
from tests import factories

ORG = "/city-hospitals"
SIMILAR = f"{ORG}/ideas/new/similar/"


def titles(organisation, text, **kwargs):
    with scope(organisation=organisation):
        return [idea.title for idea in similar_ideas(organisation, text, **kwargs)]


@pytest.fixture
def trolleys(bob, share):
    return [
        share(bob, title="Second drug trolley for nights"),
        share(bob, title="Label the linen cupboard"),
        share(bob, title="Quieter bleeps at night"),
    ]


def test_a_misspelt_title_finds_the_idea_it_is_like(postgresql, organisation, trolleys):
    assert titles(organisation, "drugs trolly at night")[0] == "Second drug trolley for nights"
    assert "Label the linen cupboard" not in titles(organisation, "drugs trolly at night")


def test_a_word_of_a_title_finds_it(organisation, trolleys):
    assert titles(organisation, "trolley") == ["Second drug trolley for nights"]
    assert titles(organisation, "linen") == ["Label the linen cupboard"]


def test_the_closest_title_comes_first(postgresql, organisation, bob, share, trolleys):
    share(bob, title="Drug trolley")
    assert titles(organisation, "drug trolley")[0] == "Drug trolley"


def test_control_characters_are_ignored(organisation, trolleys):
    assert titles(organisation, "drug\x00 trolley\x07") == titles(organisation, "drug trolley")


def test_a_few_characters_suggest_nothing(organisation, trolleys):
    assert titles(organisation, "tro") == []
    assert titles(organisation, "   ") == []


def test_never_another_organisations_ideas(organisation, other_organisation, charlie, trolleys):
    with scopes_disabled():
        factories.IdeaFactory(organisation=other_organisation, author=charlie, title="Drug trolley")
    assert "Drug trolley" not in titles(organisation, "drug trolley")


def test_never_merged_duplicates_nor_the_idea_itself(organisation, bob, share, trolleys):
    again = share(bob, title="Drug trolley at night")
    merged = share(bob, title="Drug trolley for nights please")
    with scopes_disabled():
        Idea.objects.filter(pk=merged.pk).update(status=Status.DUPLICATE)
    found = titles(organisation, "drug trolley nights", exclude_id=again.pk)
    assert "Second drug trolley for nights" in found
    assert "Drug trolley at night" not in found
    assert "Drug trolley for nights please" not in found


def test_without_postgresql_a_word_of_the_title_is_enough(organisation, trolleys, monkeypatch):
    """SQLite, the local default, has no pg_trgm: titles containing a word of the text."""
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert titles(organisation, "the drug trolley") == ["Second drug trolley for nights"]
    assert titles(organisation, "cupboard linen") == ["Label the linen cupboard"]


def test_the_migration_enabled_pg_trgm_with_an_index_on_titles(postgresql):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'idea_title_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]


# The share form -----------------------------------------------------------------------------


def test_the_share_form_asks_for_similar_ideas_while_the_title_is_typed(client_for, bob):
    text = client_for(bob).get(f"{ORG}/ideas/new/").content.decode()
    assert f'hx-post="{SIMILAR}"' in text
    assert 'hx-trigger="input changed delay:500ms"' in text
    assert 'hx-params="title"' in text
    assert '<div id="similar-ideas" aria-live="polite"></div>' in text
    # Right after the title, before the description.
    assert text.index('id="similar-ideas"') < text.index('name="description"')


def test_similar_ideas_are_listed_with_status_supports_and_a_link(client_for, bob, trolleys):
    response = client_for(bob).post(SIMILAR, {"title": "drug trolley"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "<html" not in text
    assert "Has someone shared this already?" in text
    assert f'href="{ORG}/ideas/{trolleys[0].pk}/"' in text
    assert "Submitted · 0 supports" in text


def test_a_short_title_gets_no_suggestions(client_for, bob, trolleys):
    assert client_for(bob).post(SIMILAR, {"title": "dru"}).content.decode().strip() == ""


def test_suggestions_never_name_who_shared_an_idea(client_for, bob, organisation, ward, share):
    dana = factories_person(organisation, ward)
    share(dana, anonymous=True, title="Bullying on night shifts")
    share(dana, title="Bullying at night handover")
    text = client_for(bob).post(SIMILAR, {"title": "bullying night"}).content.decode()
    assert "Bullying on night shifts" in text and "Bullying at night handover" in text
    assert "Dana" not in text and "dana@" not in text


def test_suggestions_are_not_in_a_query_string(client_for, bob):
    """A draft title must not reach access logs beside the address of its author."""
    assert client_for(bob).get(SIMILAR, {"title": "drug trolley"}).status_code == 405


def test_what_was_typed_is_kept_when_the_form_comes_back_with_errors(client_for, bob):
    response = client_for(bob).post(f"{ORG}/ideas/new/", {"title": "Drug trolley at night"})
    assert response.status_code == 400
    assert 'value="Drug trolley at night"' in response.content.decode()


def factories_person(organisation, ward):
    with scopes_disabled():
        return factories.MembershipFactory(
            organisation=organisation,
            user__email="dana@city.nhs.uk",
            user__name="Dana Nightnurse",
            home_ward=ward,
        ).user
