from django_scopes import scopes_disabled

from dashboards.models import DailyFact, staff_field


def add_staff_ideas(organisation, rows):
    """(day, scope_key, staff group, ideas) rows onto the daily facts, as the roll-up
    writes them ("" is not stated; scope_key "organisation" or "ward:<id>")."""
    with scopes_disabled():
        for day, scope_key, profession, ideas in rows:
            level, _, pk = scope_key.partition(":")
            fact, _ = DailyFact.objects.get_or_create(
                organisation=organisation,
                day=day,
                scope_key=scope_key,
                defaults={"level": level, "ward_id": int(pk) if level == "ward" else None},
            )
            field = staff_field(profession)
            setattr(fact, field, getattr(fact, field) + ideas)
            fact.save()
