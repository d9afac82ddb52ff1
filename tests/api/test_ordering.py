"""`?ordering=` on list endpoints: only the fields a view allows, else a field error."""

import pytest
import yaml
from django_scopes import scopes_disabled

from tests.factories import SiteFactory, WardFactory


@pytest.fixture
def sites(organisation):
    with scopes_disabled():
        for name in ("Birch House", "Ash Hospital", "Cedar Clinic"):
            site = SiteFactory(organisation=organisation, name=name)
            WardFactory(organisation=organisation, site=site, name=f"{name[0]} Ward")


@pytest.mark.parametrize("endpoint", ["categories", "sites", "wards"])
def test_lists_order_by_name_both_ways(endpoint, sites, api_for, bob, organisation):
    client = api_for(bob)
    url = f"/api/v1/{organisation.slug}/{endpoint}/"
    names = [row["name"] for row in client.get(f"{url}?ordering=name").json()]
    assert names == sorted(names) and len(names) >= 3
    backwards = [row["name"] for row in client.get(f"{url}?ordering=-name").json()]
    assert backwards == sorted(names, reverse=True)


@pytest.mark.parametrize("value", ["id", "organisation", "name,secret", "", "-", "site__name"])
def test_an_ordering_not_allowed_is_a_field_error(value, api_for, bob, organisation):
    response = api_for(bob).get(f"/api/v1/{organisation.slug}/wards/?ordering={value}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"]["ordering"] == [
        "Order by one or more of: name, -name (comma separated)."
    ]


def test_the_schema_lists_the_orderings(client, bob):
    client.force_login(bob)
    schema = yaml.safe_load(client.get("/api/schema/").content)

    def parameters(path):
        return {p["name"]: p for p in schema["paths"][path]["get"].get("parameters", [])}

    wards = parameters("/api/v1/{org}/wards/")["ordering"]
    assert "name, -name" in wards["description"]
    ideas = parameters("/api/v1/{org}/ideas/")
    assert "ordering" not in ideas and "newest" in ideas["sort"]["description"]
