"""Routing rules: an idea shared from chosen wards, sites, categories or of chosen kinds goes
straight to a team's inbox.

Rules are tried in their order; the first active rule whose every condition holds wins,
and an empty condition matches anything. Organisation admins keep the rules (each change
in a transaction, audited); `idea_route` applies them when an idea is shared.

Anonymity: routing runs inside `ideas.services.idea_submit`'s transaction, so it writes
only to the idea's own row (its team and the rule, no time) and nothing else: no audit
entry, notification or other row that would stamp the moment an anonymous idea was shared.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from audit import services as audit
from ideas.models import Idea, Kind
from improvewell import versions
from improvewell.validators import single_line
from organisations import permissions
from organisations.models import Membership, Organisation

from .models import RoutingRule

# A condition of a rule: (many-to-many field, the link table's column for the value).
CONDITIONS = (("wards", "ward_id"), ("sites", "site_id"), ("categories", "category_id"))


def rule_list(organisation: Organisation):
    """The organisation's rules in the order they are tried, with what the list shows."""
    return (
        RoutingRule.objects.filter(organisation=organisation)
        .select_related("team")
        .prefetch_related("wards__site", "sites", "categories")
        .order_by("position", "id")
    )


def rule_for(organisation: Organisation, *, ward=None, site=None, category=None, kind=""):
    """The first active rule that an idea with these facts matches, or None.

    An idea names a ward (whose site counts as its site) or only a site. Every idea that
    is shared asks, so the organisation's active rules are kept until its set-up changes
    (improvewell.versions) and matched here.
    """
    place_site_id = ward.site_id if ward is not None else getattr(site, "pk", None)
    facts = {
        "wards": getattr(ward, "pk", None),
        "sites": place_site_id,
        "categories": getattr(category, "pk", None),
    }
    for rule, named in _active_rules(organisation):
        # A condition holds when the rule names nothing for it, or names the idea's value.
        if all(not named[field] or facts[field] in named[field] for field in named) and (
            not rule.kinds or kind in rule.kinds
        ):
            return rule
    return None


def _active_rules(organisation: Organisation) -> list:
    """[(rule, {condition: the ids it names})] in the order the rules are tried."""

    def build():
        rules = list(
            RoutingRule.objects.filter(organisation=organisation, is_active=True)
            .select_related("team")
            .order_by("position", "id")
        )
        named = {rule.pk: {field: set() for field, _ in CONDITIONS} for rule in rules}
        for field, column in CONDITIONS:
            links = getattr(RoutingRule, field).through.objects.filter(routingrule_id__in=named)
            for rule_id, value_id in links.values_list("routingrule_id", column):
                named[rule_id][field].add(value_id)
        return [(rule, named[rule.pk]) for rule in rules]

    return versions.cached(organisation, "routing-rules", [], build, of_setup=True)


def idea_route(*, idea: Idea) -> RoutingRule | None:
    """Give a newly shared idea, still without a team, to the team of the first matching
    rule. A system assignment: no member acts, and nothing but the idea's row is written
    (see the module's note on anonymity). Returns the rule, or None if none matched."""
    if idea.team_id is not None:
        return None
    rule = rule_for(
        idea.organisation, ward=idea.ward, site=idea.site, category=idea.category, kind=idea.kind
    )
    if rule is None:
        return None
    Idea.objects.filter(pk=idea.pk, team__isnull=True).update(team=rule.team, routed_by=rule)
    idea.team, idea.routed_by = rule.team, rule
    return rule


# Keeping the rules ---------------------------------------------------------------------


def _require_admin(member: Membership) -> None:
    permissions.require(
        permissions.can_manage_organisation(member),
        "Only organisation admins change routing rules.",
    )


def _check(member: Membership, *, name, team, wards, sites, categories, kinds) -> str:
    """What a form cannot check alone, as field errors: rows of another organisation."""
    organisation_id = member.organisation_id
    if team is None:
        raise ValidationError({"team": "Choose the team that gets these ideas."})
    permissions.require_same_organisation(organisation_id, team, field="team")
    for field, values in (("wards", wards), ("sites", sites), ("categories", categories)):
        permissions.require_same_organisation(organisation_id, *values, field=field)
    if any(kind not in Kind.values for kind in kinds):
        raise ValidationError({"kinds": "Choose kinds from the list."})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the rule."})
    try:
        single_line(name)
    except ValidationError as exc:
        raise ValidationError({"name": exc.messages}) from exc
    return name


def _described(rule: RoutingRule) -> dict:
    """The rule as the audit log keeps it: names, not ids."""
    return {
        "name": rule.name,
        "team": rule.team.name,
        "wards": sorted(w.name for w in rule.wards.all()),
        "sites": sorted(s.name for s in rule.sites.all()),
        "categories": sorted(c.name for c in rule.categories.all()),
        "kinds": list(rule.kinds),
        "active": rule.is_active,
        "position": rule.position,
    }


def _locked_rules(organisation_id) -> list[RoutingRule]:
    """Every rule of the organisation, locked in order: reorders never interleave."""
    return list(
        RoutingRule.objects.select_for_update(of=("self",))
        .filter(organisation_id=organisation_id)
        .order_by("position", "id")
    )


@transaction.atomic
def rule_save(
    *,
    member: Membership,
    name: str,
    team,
    wards=(),
    sites=(),
    categories=(),
    kinds=(),
    rule: RoutingRule | None = None,
) -> RoutingRule:
    """Add a rule (tried after every existing one) or change `rule`."""
    _require_admin(member)
    wards, sites, categories, kinds = list(wards), list(sites), list(categories), list(kinds)
    name = _check(
        member, name=name, team=team, wards=wards, sites=sites, categories=categories, kinds=kinds
    )
    if rule is None:
        rules = _locked_rules(member.organisation_id)
        position = rules[-1].position + 1 if rules else 0
        rule = RoutingRule(organisation=member.organisation, position=position)
        action, before = "added routing rule", {}
    else:
        permissions.require_same_organisation(member.organisation_id, rule)
        rule = RoutingRule.objects.select_for_update(of=("self",)).get(pk=rule.pk)
        action, before = "changed routing rule", _described(rule)
    rule.name, rule.team, rule.kinds = name, team, [k for k in Kind.values if k in kinds]
    rule.save()
    rule.wards.set(wards)
    rule.sites.set(sites)
    rule.categories.set(categories)
    audit.record(member, action, before=before, after=_described(rule))
    return rule


@transaction.atomic
def rule_move(*, member: Membership, rule: RoutingRule, up: bool) -> RoutingRule:
    """Try `rule` one place earlier (`up`) or later. At either end it stays where it is."""
    _require_admin(member)
    permissions.require_same_organisation(member.organisation_id, rule)
    rules = _locked_rules(member.organisation_id)
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
        for position, each in enumerate(rules):
            if each.position != position:
                RoutingRule.objects.filter(pk=each.pk).update(position=position)
        audit.record(
            member,
            "moved routing rule",
            before={"name": rule.name, "position": index + 1},
            after={"name": rule.name, "position": other + 1},
        )
    return RoutingRule.objects.get(pk=rule.pk)


@transaction.atomic
def rule_set_active(*, member: Membership, rule: RoutingRule, active: bool) -> RoutingRule:
    """Switch a rule off (it is skipped) or on again, keeping its place."""
    _require_admin(member)
    permissions.require_same_organisation(member.organisation_id, rule)
    rule = RoutingRule.objects.select_for_update(of=("self",)).get(pk=rule.pk)
    if rule.is_active != active:
        rule.is_active = active
        rule.save(update_fields=["is_active", "updated_at"])
        action = "switched on routing rule" if active else "switched off routing rule"
        audit.record(member, action, after={"name": rule.name})
    return rule


@transaction.atomic
def rule_delete(*, member: Membership, rule: RoutingRule) -> None:
    """Delete a rule. Ideas it routed keep their team; they no longer name the rule."""
    _require_admin(member)
    permissions.require_same_organisation(member.organisation_id, rule)
    rules = _locked_rules(member.organisation_id)
    rule = next((r for r in rules if r.pk == rule.pk), None)
    if rule is None:
        return
    audit.record(member, "deleted routing rule", before=_described(rule))
    rule.delete()
    remaining = [r for r in rules if r.pk is not None]
    for position, each in enumerate(remaining):
        if each.position != position:
            RoutingRule.objects.filter(pk=each.pk).update(position=position)
