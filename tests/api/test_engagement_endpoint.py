"""Engagement figures over the API: the dashboards' figures, suppressed exactly as on
the dashboards, for those who see the dashboards, with bad input as field errors."""

from allauth.mfa.models import Authenticator
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from dashboards import pulse as pulse_figures
from dashboards import selectors
from dashboards.models import DailyFact
from tests.dashboards.helpers import add_staff_ideas
from tests.dashboards.test_dashboards import facts_for
from tests.factories import SiteFactory, WardFactory

URL = "/api/v1/city-hospitals/engagement/"


def _three_wards(organisation, ward):
    with scopes_disabled():
        return [
            ward,
            WardFactory(organisation=organisation, site=ward.site, name="Oak Ward"),
            WardFactory(organisation=organisation, site=ward.site, name="Ash Ward"),
        ]


def test_a_small_ward_is_suppressed_as_on_the_dashboard(
    api_for, client_for, lena, organisation, ward
):
    wards = _three_wards(organisation, ward)
    facts_for(organisation, wards, contributors=[30, 14, 3], pulses=[40, 40, 40])
    response = api_for(lena).get(URL)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["scope"] == {"level": "organisation", "id": None, "name": organisation.name}
    assert data["suppression_threshold"] == 11
    assert data["suppressed_as"] == "fewer than 11"
    by_ward = {row["ward"]["name"]: row for row in data["wards"]}
    assert by_ward["Acute Medical Unit"]["contributors_30d"] == 30
    assert by_ward["Acute Medical Unit"]["participation"] == 75.0
    assert by_ward["Acute Medical Unit"]["suppressed"] == []
    for small in ("Ash Ward", "Oak Ward"):  # 3, and 14 as its complement
        assert by_ward[small]["contributors_30d"] is None
        assert by_ward[small]["participation"] is None
        assert by_ward[small]["suppressed"] == ["contributors_30d", "participation"]
    assert "35.0" not in response.content.decode()  # Oak's 14 of 40 cannot be read back
    # The same figures the dashboard's selector gives, hidden in the same cells.
    today = timezone.localdate()
    start = today - timezone.timedelta(days=29)
    with scope(organisation=organisation):
        latest = pulse_figures.latest(organisation, start, today)
        league = selectors.ward_league(organisation, start, today, pulse=latest)
    assert {r["name"]: r["contributors_30d"] for r in league} == {
        name: row["contributors_30d"] for name, row in by_ward.items()
    }
    page = client_for(lena).get("/city-hospitals/dashboards/").content.decode()
    assert "35.0%" not in page and page.count("fewer than 11") >= 2


def test_a_ward_and_its_staff_groups(api_for, lena, organisation, ward):
    wards = _three_wards(organisation, ward)
    facts_for(organisation, wards, contributors=[30, 14, 3], pulses=[0, 0, 0])
    today = timezone.localdate()
    key = f"ward:{ward.pk}"
    add_staff_ideas(
        organisation,
        [
            (today, key, "nursing_midwifery", 25),
            (today, key, "pharmacy", 3),
            (today, key, "medical_dental", 12),
            (today, "organisation", "nursing_midwifery", 25),
            (today, "organisation", "pharmacy", 3),
            (today, "organisation", "medical_dental", 12),
        ],
    )
    data = api_for(lena).get(f"{URL}?ward={ward.pk}").json()
    assert data["scope"] == {"level": "ward", "id": ward.pk, "name": ward.name}
    assert data["figures"]["ideas"] == 6  # 2 a day over 3 days
    assert data["figures"]["contributors_30d"] == 30
    assert data["wards"] == []
    groups = {g["label"]: g for g in data["staff_groups"]}
    assert groups["Registered nursing and midwifery"]["ideas"] == 25
    assert groups["Pharmacy"] == {"label": "Pharmacy", "ideas": None, "suppressed": True}
    # The pharmacy's 3 would follow from the total: the next smallest goes with it.
    assert groups["Medical and dental"]["suppressed"] is True

    small = api_for(lena).get(f"{URL}?ward={wards[2].pk}").json()
    assert small["figures"]["contributors_30d"] is None
    assert small["figures"]["participation"] is None
    assert small["figures"]["suppressed"] == ["contributors_30d", "participation"]


def test_a_site_lists_its_own_wards(api_for, lena, organisation, ward):
    with scopes_disabled():
        elsewhere = WardFactory(
            organisation=organisation, site=SiteFactory(organisation=organisation)
        )
    facts_for(organisation, [ward, elsewhere], contributors=[30, 20], pulses=[0, 0])
    data = api_for(lena).get(f"{URL}?site={ward.site_id}").json()
    assert data["scope"]["level"] == "site"
    assert [row["ward"]["id"] for row in data["wards"]] == [ward.pk]


def test_bad_parameters_get_field_errors_never_a_500(api_for, lena, organisation, ward, other_ward):
    client = api_for(lena)
    for query, field in [
        ("start=nonsense", "start"),
        ("start=2026-06-10&end=2026-06-01", "end"),
        ("start=1900-01-01", "start"),
        ("start=2020-01-01&end=2025-01-01", "start"),
        ("ward=abc", "ward"),
        ("ward=-1", "ward"),
        ("ward=99999999999999999999999", "ward"),
        (f"ward={other_ward.pk}", "ward"),
        ("site=987654321", "site"),
        (f"ward={ward.pk}&site={ward.site_id}", "ward"),
    ]:
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 400, (query, response.content)
        assert field in response.json()["errors"], query
    assert client.get(f"{URL}?start=2026-01-01&end=2026-01-31").status_code == 200


def test_only_those_who_see_the_dashboards_may_read_it(
    api_for, bob, lena, alice, charlie, make_token, organisation
):
    assert api_for(bob).get(URL).status_code == 403
    assert api_for(alice).get(URL).status_code == 200
    assert api_for(charlie).get(URL).status_code == 404
    assert api_for().get(URL).status_code == 401
    assert api_for(token=make_token(lena, organisation, scope="read")).get(URL).status_code == 200
    with scopes_disabled():
        Authenticator.objects.filter(user=lena).delete()
    response = api_for(lena).get(URL)
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"]


def test_the_figures_take_a_fixed_number_of_queries_whatever_the_wards(
    api_for, lena, organisation, ward, django_assert_max_num_queries
):
    client = api_for(lena)
    facts_for(organisation, [ward], contributors=[30], pulses=[0])
    with django_assert_max_num_queries(40) as few:
        assert client.get(URL).status_code == 200
    with scopes_disabled():
        for _ in range(12):
            more = WardFactory(organisation=organisation)
            DailyFact.objects.create(
                organisation=organisation,
                day=timezone.localdate(),
                level="ward",
                scope_key=f"ward:{more.pk}",
                ward=more,
                ideas=1,
                contributors_30d=5,
                active_members=20,
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL)
        assert response.status_code == 200
    assert len(response.json()["wards"]) == 13
