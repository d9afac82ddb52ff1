"""Routing rules: ideas go straight to a team's inbox; admins keep the rules, leads read them."""

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import strip_tags
from django_scopes import scope, scopes_disabled

from audit.models import AuditEvent
from ideas.models import Idea
from improvewell.rls import tenant_scope
from tests import factories
from tests.conftest import membership
from tests.teamwork import ORG, page
from triage import routing
from triage import services as triage_services
from triage.models import RoutingRule

RULES = f"{ORG}/manage/routing/"


def rule_url(rule, action=""):
    return f"{RULES}{rule.pk}/{action}"


def add_rule(organisation, team, name="Rule", *, position=None, active=True, kinds=(), **sets):
    """A rule written straight to the database (the screen's own tests post the form)."""
    with scopes_disabled():
        if position is None:
            position = RoutingRule.objects.filter(organisation=organisation).count()
        rule = RoutingRule.objects.create(
            organisation=organisation,
            name=name,
            team=team,
            position=position,
            is_active=active,
            kinds=list(kinds),
        )
        for field, rows in sets.items():
            getattr(rule, field).set(rows)
    return rule


def fresh(obj):
    """The row as stored now, with what the tests read of it."""
    with scopes_disabled():
        rows = type(obj).objects.filter(pk=obj.pk)
        if isinstance(obj, Idea):
            rows = rows.select_related("team", "routed_by", "author")
        else:
            rows = rows.select_related("team")
        return rows.get()


def rules_in_order(organisation):
    with scopes_disabled():
        return list(
            RoutingRule.objects.filter(organisation=organisation)
            .order_by("position")
            .values_list("name", flat=True)
        )


@pytest.fixture
def surgery(organisation):
    with scopes_disabled():
        return factories.WardFactory(organisation=organisation, name="Surgical Ward")


# Which rule wins -----------------------------------------------------------------------


def test_the_first_matching_rule_wins(alice, organisation, ward, team, other_team, share):
    add_rule(organisation, other_team, "Ward rule", wards=[ward])
    add_rule(organisation, team, "Also matches", wards=[ward])
    idea = fresh(share(alice))
    assert idea.team == other_team
    assert idea.routed_by.name == "Ward rule"


def test_the_kept_rules_follow_every_change_to_them(
    alice, organisation, ward, surgery, team, other_team, share
):
    """The active rules are kept between shares (improvewell.versions): a new rule, a
    changed condition and a rule switched off each count from the next idea shared."""
    assert fresh(share(alice)).team is None
    # Changed as the app changes them: inside the organisation's scope.
    with tenant_scope(organisation):
        rule = RoutingRule.objects.create(organisation=organisation, name="Ward", team=team)
        rule.wards.set([ward])
    assert fresh(share(alice)).team == team
    with tenant_scope(organisation):
        rule.wards.set([surgery])
    assert fresh(share(alice)).team is None
    assert fresh(share(alice, ward=surgery)).team == team
    with tenant_scope(organisation):
        RoutingRule.objects.filter(pk=rule.pk).update(is_active=False)
    assert fresh(share(alice, ward=surgery)).team is None


def test_moving_a_rule_up_changes_which_wins(
    alice, organisation, ward, team, other_team, share, client_for
):
    add_rule(organisation, other_team, "First", wards=[ward])
    second = add_rule(organisation, team, "Second", wards=[ward])
    response = client_for(alice).post(rule_url(second, "move/"), {"direction": "up"})
    assert response.status_code == 302
    assert rules_in_order(organisation) == ["Second", "First"]
    assert fresh(share(alice)).team == team


def test_empty_ward_and_category_sets_match_any(
    alice, organisation, ward, surgery, team, other_team, categories, share
):
    safety = categories["Patient safety"]
    add_rule(organisation, other_team, "Safety anywhere", categories=[safety])
    add_rule(organisation, team, "Everything else")
    on_surgery = fresh(share(alice, ward=surgery, category=safety))
    elsewhere = fresh(share(alice, title="Lights", category=categories["Communication"]))
    assert on_surgery.routed_by.name == "Safety anywhere"
    assert elsewhere.routed_by.name == "Everything else"
    assert elsewhere.team == team


def test_every_condition_a_rule_names_must_hold(
    alice, organisation, ward, surgery, team, categories, share
):
    add_rule(organisation, team, "Safety on AMU", wards=[ward], categories=[categories["Other"]])
    wrong_category = fresh(share(alice))
    wrong_ward = fresh(share(alice, title="Other", ward=surgery, category=categories["Other"]))
    both = fresh(share(alice, title="Both", category=categories["Other"]))
    assert wrong_category.team is None
    assert wrong_ward.team is None
    assert both.team == team


def test_kinds_and_sites_narrow_a_rule(alice, organisation, ward, surgery, team, share):
    add_rule(organisation, team, "Concerns at the site", kinds=["concern"], sites=[ward.site])
    idea = fresh(share(alice, kind="idea"))
    concern = fresh(share(alice, title="Broken hoist", kind="concern"))
    site_only = fresh(share(alice, title="Site only", kind="concern", ward=None, site=ward.site))
    assert idea.team is None
    assert concern.team == team
    assert site_only.team == team


def test_a_ward_rule_does_not_catch_an_idea_that_names_only_its_site(
    alice, organisation, ward, team, share
):
    add_rule(organisation, team, "AMU", wards=[ward])
    idea = fresh(share(alice, anonymous=True, ward=None, site=ward.site))
    assert idea.team is None


def test_switched_off_rules_are_skipped(alice, organisation, ward, team, other_team, share):
    add_rule(organisation, other_team, "Off", wards=[ward], active=False)
    add_rule(organisation, team, "On", wards=[ward])
    assert fresh(share(alice)).routed_by.name == "On"


def test_an_idea_no_rule_matches_stays_unassigned(alice, organisation, surgery, team, share):
    add_rule(organisation, team, "Surgery", wards=[surgery])
    idea = fresh(share(alice))
    assert (idea.team, idea.routed_by) == (None, None)


def test_another_organisations_rules_never_route(alice, organisation, other_organisation, share):
    with scopes_disabled():
        their_team = factories.TeamFactory(organisation=other_organisation)
    add_rule(other_organisation, their_team, "Theirs")
    assert fresh(share(alice)).team is None


# Anonymity -----------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    with scopes_disabled():
        return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


def test_an_anonymous_idea_is_routed_with_no_submitter_and_no_extra_row(
    alice, organisation, ward, team, share
):
    before = row_counts()
    share(alice, anonymous=True, title="Unrouted")
    unrouted = {k: v - before[k] for k, v in row_counts().items() if v != before[k]}

    add_rule(organisation, team, "AMU", wards=[ward])
    before = row_counts()
    idea = fresh(share(alice, anonymous=True, title="Routed"))
    routed = {k: v - before[k] for k, v in row_counts().items() if v != before[k]}

    assert idea.team == team and idea.routed_by.name == "AMU"
    assert idea.author is None and idea.is_anonymous
    # Routing adds no row (no audit entry, notification or event) to what sharing writes.
    assert routed == unrouted
    with scopes_disabled():
        assert not AuditEvent.objects.filter(idea=idea).exists()
    assert idea.created_at.time().minute == 0 and idea.status_changed_at is None


# Keeping the rules: the services --------------------------------------------------------


def test_the_service_refuses_another_organisations_team_ward_and_category(
    alice, organisation, other_organisation, other_ward, team
):
    member = membership(alice, organisation)
    with scopes_disabled():
        their_team = factories.TeamFactory(organisation=other_organisation)
        their_category = factories.CategoryFactory(organisation=other_organisation)
    for fields, field in [
        ({"team": their_team}, "team"),
        ({"team": team, "wards": [other_ward]}, "wards"),
        ({"team": team, "categories": [their_category]}, "categories"),
    ]:
        with scope(organisation=organisation), pytest.raises(ValidationError) as exc:
            routing.rule_save(member=member, name="Forged", **fields)
        assert field in exc.value.message_dict
    assert rules_in_order(organisation) == []


def test_only_admins_change_rules(lena, organisation, team):
    with scope(organisation=organisation), pytest.raises(PermissionDenied):
        routing.rule_save(member=membership(lena, organisation), name="Mine", team=team)


def test_a_team_chosen_by_hand_replaces_the_rules_choice(
    alice, lena, organisation, ward, team, other_team, share
):
    add_rule(organisation, team, "AMU", wards=[ward])
    idea = share(alice)
    with scope(organisation=organisation):
        triage_services.idea_assign_team(
            member=membership(lena, organisation), idea=fresh(idea), team=other_team
        )
    idea = fresh(idea)
    assert (idea.team, idea.routed_by) == (other_team, None)


# The screen ------------------------------------------------------------------------------


def test_admin_adds_a_rule_from_the_screen(alice, organisation, ward, team, categories, client_for):
    client = client_for(alice)
    add_rule(organisation, team, "Existing")
    assert client.get(f"{RULES}new/").status_code == 200
    response = client.post(
        f"{RULES}new/",
        {
            "name": "Falls on AMU",
            "wards": [ward.pk],
            "categories": [categories["Patient safety"].pk],
            "kinds": ["concern"],
            "team": team.pk,
        },
    )
    assert response.status_code == 302
    assert rules_in_order(organisation) == ["Existing", "Falls on AMU"]
    with scopes_disabled():
        rule = RoutingRule.objects.get(name="Falls on AMU")
        assert list(rule.wards.all()) == [ward]
        assert rule.kinds == ["concern"]
        assert AuditEvent.objects.filter(action="added routing rule").count() == 1
    listing = page(client.get(RULES))
    assert "Falls on AMU" in listing
    assert "Ideas of kind problem or concern from Acute Medical Unit in Patient safety" in listing


def test_the_form_refuses_another_organisations_rows_with_field_errors(
    alice, organisation, other_organisation, other_ward, team, client_for
):
    with scopes_disabled():
        their_team = factories.TeamFactory(organisation=other_organisation)
        their_category = factories.CategoryFactory(organisation=other_organisation)
        their_site = other_ward.site
    response = client_for(alice).post(
        f"{RULES}new/",
        {
            "name": "Forged",
            "wards": [other_ward.pk],
            "sites": [their_site.pk],
            "categories": [their_category.pk],
            "team": their_team.pk,
        },
    )
    assert response.status_code == 400
    text = page(response)
    for message in (
        "Choose wards of this organisation.",
        "Choose sites of this organisation.",
        "Choose categories of this organisation.",
        "Choose a team of this organisation.",
    ):
        assert message in text
    assert rules_in_order(organisation) == []


def test_a_rule_needs_a_name_and_a_team(alice, client_for):
    response = client_for(alice).post(f"{RULES}new/", {"name": ""})
    assert response.status_code == 400
    assert "Enter a name for the rule." in page(response)
    assert "Choose the team that gets these ideas." in page(response)


def test_admin_changes_a_rule(alice, organisation, ward, team, other_team, client_for):
    rule = add_rule(organisation, team, "AMU", wards=[ward])
    client = client_for(alice)
    assert "AMU" in page(client.get(rule_url(rule)))
    response = client.post(rule_url(rule), {"name": "Any ward", "team": other_team.pk})
    assert response.status_code == 302
    rule = fresh(rule)
    assert rule.name == "Any ward" and rule.team == other_team
    with scopes_disabled():
        assert not rule.wards.exists()


def test_reorder_keeps_every_rule_and_stops_at_the_ends(alice, organisation, team, client_for):
    first, _, third = (add_rule(organisation, team, n) for n in ("A", "B", "C"))
    client = client_for(alice)
    client.post(rule_url(third, "move/"), {"direction": "up"})
    assert rules_in_order(organisation) == ["A", "C", "B"]
    client.post(rule_url(first, "move/"), {"direction": "down"})
    assert rules_in_order(organisation) == ["C", "A", "B"]
    client.post(rule_url(third, "move/"), {"direction": "up"})  # already first
    assert rules_in_order(organisation) == ["C", "A", "B"]
    with scopes_disabled():
        positions = list(
            RoutingRule.objects.order_by("position").values_list("position", flat=True)
        )
    assert positions == [0, 1, 2]


def test_switching_a_rule_off_and_on(alice, organisation, ward, team, share, client_for):
    rule = add_rule(organisation, team, "AMU", wards=[ward])
    client = client_for(alice)
    assert client.post(rule_url(rule, "switch-off/")).status_code == 302
    assert not fresh(rule).is_active
    assert "Off" in page(client.get(RULES))
    assert fresh(share(alice)).team is None
    client.post(rule_url(rule, "switch-on/"))
    assert fresh(rule).is_active
    assert fresh(share(alice, title="Again")).team == team


def test_delete_asks_first_and_routed_ideas_keep_their_team(
    alice, organisation, ward, team, share, client_for
):
    rule = add_rule(organisation, team, "AMU", wards=[ward])
    later = add_rule(organisation, team, "Later")
    idea = share(alice)
    client = client_for(alice)
    confirm = client.get(rule_url(rule, "delete/"))
    assert confirm.status_code == 200
    assert "Delete the rule “AMU”?" in page(confirm)
    assert rules_in_order(organisation) == ["AMU", "Later"]
    assert client.post(rule_url(rule, "delete/")).status_code == 302
    assert rules_in_order(organisation) == ["Later"]
    assert fresh(later).position == 0
    idea = fresh(idea)
    assert (idea.team, idea.routed_by) == (team, None)
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="deleted routing rule").count() == 1


def test_the_screen_says_when_there_are_no_rules(alice, client_for):
    text = page(client_for(alice).get(RULES))
    assert "No routing rules yet" in text
    assert "Add a rule" in text


def test_trying_an_idea_says_which_rule_it_would_go_by(
    lena, organisation, ward, surgery, team, categories, client_for
):
    add_rule(organisation, team, "AMU", wards=[ward])
    client = client_for(lena)
    safety = categories["Patient safety"].pk
    hit = client.post(RULES, {"ward": ward.pk, "category": safety, "kind": "idea"})
    assert hit.status_code == 200
    assert "It would go to Patient Flow Team by the rule “AMU”." in strip_tags(page(hit))
    miss = client.post(RULES, {"ward": surgery.pk, "category": safety, "kind": "idea"})
    assert "No rule matches" in page(miss)
    bad = client.post(RULES, {"ward": ward.pk, "kind": "idea"})
    assert bad.status_code == 400
    assert "Choose a category." in page(bad)
    with scopes_disabled():
        assert not AuditEvent.objects.exists()  # trying changes nothing


def test_who_may_use_the_screen(alice, lena, bob, charlie, organisation, team, client_for):
    rule = add_rule(organisation, team, "AMU")
    admin = page(client_for(alice).get(RULES))
    assert "Add a rule" in admin and "Move up" not in admin and "Switch off" in admin
    lead = client_for(lena)
    assert lead.get(RULES).status_code == 200
    assert "Add a rule" not in page(lead.get(RULES))
    assert "Switch off" not in page(lead.get(RULES))
    for path in (f"{RULES}new/", rule_url(rule), rule_url(rule, "delete/")):
        assert lead.get(path).status_code == 403
    assert lead.post(rule_url(rule, "switch-off/")).status_code == 403
    assert client_for(bob).get(RULES).status_code == 403
    outsider = client_for(charlie)
    assert outsider.get(RULES).status_code == 404
    assert outsider.post(rule_url(rule, "delete/")).status_code == 404
    assert fresh(rule).is_active


def test_the_list_reads_a_constant_number_of_queries(
    alice, organisation, ward, team, categories, client_for, django_assert_max_num_queries
):
    client = client_for(alice)
    add_rule(organisation, team, "One", wards=[ward], categories=[categories["Other"]])
    client.get(RULES)
    for n in range(10):
        add_rule(organisation, team, f"Rule {n}", wards=[ward], sites=[ward.site])
    with django_assert_max_num_queries(25):
        assert client.get(RULES).status_code == 200


# The triage pages ------------------------------------------------------------------------


def test_the_triage_page_and_inbox_show_the_rule_that_routed_an_idea(
    alice, lena, organisation, ward, team, share, client_for
):
    add_rule(organisation, team, "Falls on AMU", wards=[ward])
    idea = share(alice, anonymous=True)
    client = client_for(lena)
    shown = "Routed to Patient Flow Team by rule “Falls on AMU”"
    assert shown in page(client.get(f"{ORG}/triage/{idea.pk}/"))
    assert shown in page(client.get(f"{ORG}/triage/"))
