"""Merging a duplicate: the original found by its title or a pasted web address."""

import pytest
from django_scopes import scopes_disabled

from ideas.models import Idea, Status
from tests import factories
from tests.teamwork import ORG, page, person
from triage import services as triage_services


def triage_url(idea):
    return f"{ORG}/triage/{idea.pk}/"


def fresh(idea):
    with scopes_disabled():
        return Idea.objects.get(pk=idea.pk)


@pytest.fixture
def pair(organisation, ward, bob, share):
    olive = person(organisation, "olive@city.nhs.uk", "Olive Original", ward=ward)
    original = share(olive, title="Second drug trolley for nights")
    duplicate = share(bob, title="Another drugs trolley please")
    return original, duplicate


def test_the_search_finds_the_original_by_a_word_of_its_title_without_javascript(
    client_for, lena, pair
):
    original, duplicate = pair
    response = client_for(lena).get(triage_url(duplicate), {"find": "trolley"})
    assert response.status_code == 200
    text = page(response)
    assert "Ideas with a title like “trolley”" in text
    assert f'name="into" type="radio" value="{original.pk}"' in text
    # Never the idea itself.
    assert f'value="{duplicate.pk}"' not in text.split('id="merge-candidates"')[1]


def test_htmx_gets_the_search_results_alone(client_for, lena, pair):
    original, duplicate = pair
    response = client_for(lena).get(
        triage_url(duplicate), {"find": "trolley"}, HTTP_HX_REQUEST="true"
    )
    text = page(response)
    assert "<html" not in text
    assert f'value="{original.pk}"' in text
    assert "Second drug trolley for nights" in text


def test_a_search_with_nothing_like_it_says_so(client_for, lena, pair):
    _, duplicate = pair
    text = page(client_for(lena).get(triage_url(duplicate), {"find": "xylophone"}))
    assert "none found" in text


def test_merging_the_original_picked_from_the_list(client_for, lena, pair):
    original, duplicate = pair
    response = client_for(lena).post(
        triage_url(duplicate), {"action": "merge", "into": str(original.pk)}
    )
    assert response.status_code == 302
    assert fresh(duplicate).merged_into_id == original.pk


@pytest.mark.parametrize(
    "address",
    [
        "https://improvewell.nhs.uk/city-hospitals/ideas/{pk}/",
        "http://127.0.0.1:8000/city-hospitals/triage/{pk}/?team=3",
        "  /city-hospitals/ideas/{pk}  ",
        "{pk}",
    ],
)
def test_merging_into_a_pasted_address(client_for, lena, pair, address):
    original, duplicate = pair
    response = client_for(lena).post(
        triage_url(duplicate), {"action": "merge", "address": address.format(pk=original.pk)}
    )
    assert response.status_code == 302
    assert fresh(duplicate).status == Status.DUPLICATE
    assert fresh(duplicate).merged_into_id == original.pk


def test_an_address_that_is_not_an_ideas_is_a_field_error(client_for, lena, pair):
    _, duplicate = pair
    response = client_for(lena).post(
        triage_url(duplicate), {"action": "merge", "address": "https://example.com/nothing"}
    )
    assert response.status_code == 400
    text = page(response)
    assert '<a href="#id_address">Paste the web address of an idea' in text
    assert fresh(duplicate).status == Status.SUBMITTED


def test_nothing_chosen_is_a_field_error_linked_to_the_list(client_for, lena, pair):
    _, duplicate = pair
    response = client_for(lena).post(triage_url(duplicate), {"action": "merge"})
    assert response.status_code == 400
    text = page(response)
    assert '<a href="#id_into">Choose the original idea, or paste its web address.</a>' in text
    assert 'id="id_into-error"' in text


def test_pasting_its_own_address_is_refused(client_for, lena, pair):
    _, duplicate = pair
    response = client_for(lena).post(
        triage_url(duplicate),
        {"action": "merge", "address": f"https://x.nhs.uk{ORG}/ideas/{duplicate.pk}/"},
    )
    assert response.status_code == 400
    assert "An idea cannot be merged into itself." in page(response)


def test_pasting_a_duplicates_address_is_refused(client_for, lena, bob, pair, share, as_member):
    original, duplicate = pair
    third = share(bob, title="Night trolley again")
    as_member(lena, triage_services.idea_merge, idea=duplicate, into=original)
    response = client_for(lena).post(
        triage_url(third), {"action": "merge", "address": f"{ORG}/ideas/{duplicate.pk}/"}
    )
    assert response.status_code == 400
    assert "That idea is itself a duplicate: merge into its original." in page(response)


def test_another_organisations_idea_is_neither_offered_nor_accepted(
    client_for, lena, pair, other_organisation, charlie
):
    _, duplicate = pair
    with scopes_disabled():
        elsewhere = factories.IdeaFactory(
            organisation=other_organisation, author=charlie, title="Drug trolley for nights"
        )
    client = client_for(lena)
    text = page(client.get(triage_url(duplicate), {"find": "trolley"}))
    assert "Drug trolley for nights<" not in text
    assert str(elsewhere.pk) not in text
    response = client.post(
        triage_url(duplicate), {"action": "merge", "address": f"/hill-trust/ideas/{elsewhere.pk}/"}
    )
    assert response.status_code == 400
    assert "Choose an idea of this organisation to merge into." in page(response)


def test_merged_duplicates_are_not_offered(client_for, lena, bob, pair, share, as_member):
    original, duplicate = pair
    third = share(bob, title="Night drug trolley again")
    as_member(lena, triage_services.idea_merge, idea=duplicate, into=original)
    text = page(client_for(lena).get(triage_url(third), {"find": "trolley"}))
    assert f'value="{original.pk}"' in text
    assert f'value="{duplicate.pk}"' not in text


def test_the_candidates_never_name_who_shared_them(client_for, lena, organisation, ward, share):
    dana = person(organisation, "dana@city.nhs.uk", "Dana Nightnurse", ward=ward)
    share(dana, anonymous=True, title="Bullying on night shifts")
    later = share(dana, title="Bullying on night shift again")
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        text = page(client_for(lena).get(triage_url(later), {"find": "bullying"}, **headers))
        assert "Bullying on night shifts" in text
        assert "Dana" not in text.split('id="merge-candidates"')[-1]
        assert "dana@" not in text
