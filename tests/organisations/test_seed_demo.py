from django.apps import apps
from django.core.management import call_command
from django_scopes import scopes_disabled

from organisations.models import Membership, Organisation, Profession, Role


def snapshot():
    """Every row of every table the demo writes, as plain values."""
    with scopes_disabled():
        return {
            model._meta.label: sorted(
                tuple(sorted((k, str(v)) for k, v in row.items()))
                for row in model._default_manager.values()
            )
            for model in apps.get_models()
            if model._meta.app_label
            in {"users", "organisations", "account", "ideas", "teams", "projects", "audit", "api"}
        }


def test_seed_demo_twice_leaves_the_same_rows(db):
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first


def test_demo_has_two_organisations_with_every_staff_group(db):
    call_command("seed_demo", verbosity=0)
    with scopes_disabled():
        demo = Organisation.objects.get(slug="demo-trust")
        assert Organisation.objects.filter(slug="other-trust").exists()
        assert demo.sites.count() == 3
        assert demo.wards.count() == 12
        members = Membership.objects.filter(organisation=demo)
        assert members.count() >= 60
        assert set(members.values_list("profession", flat=True)) == set(Profession.values)
        roles = dict(
            members.filter(user__email__endswith="@demo-trust.nhs.uk").values_list(
                "user__email", "role"
            )
        )
    assert roles["staff@demo-trust.nhs.uk"] == Role.STAFF
    assert roles["lead@demo-trust.nhs.uk"] == Role.QI_LEAD
    assert roles["admin@demo-trust.nhs.uk"] == Role.ORG_ADMIN


def test_demo_logins_work(client, db):
    call_command("seed_demo", verbosity=0)
    for email, landing in [
        ("staff@demo-trust.nhs.uk", "/demo-trust/"),
        ("staff@other-trust.nhs.uk", "/other-trust/"),
    ]:
        client.logout()
        response = client.post(
            "/accounts/login/", {"login": email, "password": "improvewell-demo"}, follow=True
        )
        assert response.redirect_chain[-1][0] == landing


def test_demo_has_an_anonymous_idea_that_names_only_its_site(client, db):
    from ideas.models import Idea

    call_command("seed_demo", verbosity=0)
    with scopes_disabled():
        idea = Idea.objects.select_related("site", "organisation").get(
            title="Not enough chargers for the observation machines",
            organisation__slug="demo-trust",
        )
        assert (idea.is_anonymous, idea.ward, idea.site is not None) == (True, None, True)
        staff = Membership.objects.get(user__email="staff@demo-trust.nhs.uk").user
    client.force_login(staff)
    page = client.get(f"/demo-trust/ideas/{idea.pk}/").content.decode()
    assert f"{idea.site.name}</dd>" in page


def test_the_demo_lead_has_api_tokens_to_show(client, db, settings):
    settings.REQUIRE_MFA = False  # as `make run` seeds it
    call_command("seed_demo", verbosity=0)
    client.post(
        "/accounts/login/", {"login": "lead@demo-trust.nhs.uk", "password": "improvewell-demo"}
    )
    page = client.get("/account/tokens/").content.decode()
    assert "Power BI: weekly ideas report" in page
    assert "Ward noticeboard screen" in page
