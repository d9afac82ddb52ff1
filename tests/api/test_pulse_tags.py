"""The API offers and accepts the organisation's own pulse tags, as the web does."""

from django_scopes import scopes_disabled

from ideas.models import PulseCheckIn, PulseTag
from ideas.pulse_models import DEFAULT_PULSE_TAGS
from organisations.models import Organisation

API = "/api/v1/city-hospitals"


def test_the_tags_listed_are_the_organisations_offered_ones(api_for, bob, organisation):
    with scopes_disabled():
        PulseTag.objects.create(organisation=organisation, key="breaks", label="Breaks", position=9)
        PulseTag.objects.filter(organisation=organisation, key="other").update(is_active=False)
    response = api_for(bob).get(f"{API}/pulse/tags/")
    assert response.status_code == 200
    expected = [(k, v) for k, v in DEFAULT_PULSE_TAGS if k != "other"] + [("breaks", "Breaks")]
    assert [(t["key"], t["label"]) for t in response.json()] == expected


def test_a_check_in_takes_an_own_tag_and_refuses_a_retired_one(api_for, bob, organisation):
    with scopes_disabled():
        PulseTag.objects.create(organisation=organisation, key="breaks", label="Breaks", position=9)
        PulseTag.objects.filter(organisation=organisation, key="other").update(is_active=False)
    client = api_for(bob)
    refused = client.post(f"{API}/pulse/", {"score": 3, "tags": ["other"]})
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["tags"]
    response = client.post(f"{API}/pulse/", {"score": 3, "tags": ["breaks"]})
    assert response.status_code == 201 and response.json()["tags"] == ["breaks"]
    with scopes_disabled():
        assert PulseCheckIn.objects.get(organisation=organisation).tags == ["breaks"]


def test_with_pulse_switched_off_there_are_no_tags_to_list(api_for, bob, organisation):
    with scopes_disabled():
        Organisation.objects.filter(pk=organisation.pk).update(pulse_enabled=False)
    assert api_for(bob).get(f"{API}/pulse/tags/").status_code == 404
