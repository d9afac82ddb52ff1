"""Distinct people for the roll-up: contributors per scope and day and over the trailing
30 days, which do not add up from ward to site (one person shares on two wards), and the
ideas of each staff group, which need to know who shared."""

from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Count

from ideas.models import Idea
from organisations.models import Membership

from .models import STAFF_FIELDS
from .places import day_bounds, local_day, place

WINDOW_DAYS = 30
# Ranges shorter than this count each day's trailing 30 days afresh rather than by the sweep.
SHORT_RANGE_DAYS = 3


def _window_by_day(organisation, first: date, last: date, keys_of) -> dict:
    """Distinct people over the 30 days ending on each day, from each day's distinct
    (place, person) pairs: one query a day. Cheaper than the sweep for the day or two of
    the 15-minute and nightly runs; the pairs are bounded by the organisation's staff."""
    window = {}
    day = first
    while day <= last:
        since, _ = day_bounds(day - timedelta(days=WINDOW_DAYS - 1))
        _, until = day_bounds(day)
        pairs = (
            Idea.objects.filter(
                organisation=organisation, created_at__gte=since, created_at__lt=until
            )
            .annotate(place=place())
            .values_list("place", "author_id", "submitter_token")
            .distinct()
            .order_by()
        )
        people = defaultdict(set)
        for place_key, author_id, token in pairs:
            for key in keys_of[place_key]:
                people[key].add((author_id, token))
        for key, who in people.items():
            window[(key, day)] = len(who)
        day += timedelta(days=1)
    return window


def _window_by_sweep(steps: dict, since: date, first: date, last: date) -> dict:
    """Each day's 30-day figure from first to last: the running total of the steps."""
    window = {}
    first_n = first.toordinal()
    for key in {key for key, _ in steps}:
        running = 0
        for d in range(since.toordinal(), last.toordinal() + 1):
            running += steps.get((key, d), 0)
            if d >= first_n:
                window[(key, date.fromordinal(d))] = running
    return window


def _rows_by_person(organisation, since: date, last: date):
    """(author, token, London day, place, ideas), one person's days together in day order,
    and the staff groups of the people who shared (an anonymous idea records none)."""
    _, end = day_bounds(last)
    ideas = Idea.objects.filter(
        organisation=organisation, created_at__gte=day_bounds(since)[0], created_at__lt=end
    )
    professions = dict(
        Membership.objects.filter(organisation=organisation, user__in=ideas.values("author_id"))
        .exclude(profession="")
        .order_by()
        .values_list("user_id", "profession")
    )
    rows = (
        ideas.annotate(rollup_day=local_day("created_at"), place=place())
        .values_list("author_id", "submitter_token", "rollup_day", "place")
        .annotate(n=Count("pk"))
        .order_by("author_id", "submitter_token", "rollup_day")
    )
    return rows.iterator(chunk_size=5000), professions


def count_people(organisation, first: date, last: date, keys_of) -> tuple[dict, dict, dict]:
    """Distinct contributors per scope and day and over the trailing 30 days, and ideas per
    (place, day, staff group).

    The ideas are read person by person, in day order, so that only one person's days are
    held at a time: memory grows with scopes and days, not with ideas. Someone who shared
    on day x counts in the 30-day figure from day x to x + 29; each of their days extends
    that span from where the previous one stopped (+1 on the day it starts, -1 on the day
    after it ends), and a running total of those steps gives every day's figure.
    """
    short = (last - first).days < SHORT_RANGE_DAYS
    since = first if short else first - timedelta(days=WINDOW_DAYS - 1)
    rows, professions = _rows_by_person(organisation, since, last)
    # Days as ordinals (plain integers): this loop runs once per person-day-place.
    contributors, steps = defaultdict(int), defaultdict(int)
    staff = defaultdict(int)
    first_n = first.toordinal()
    person = person_day = None
    for author_id, token, day, place_key, n in rows:
        # One person: the author of a named idea, the token of an anonymous one.
        if (author_id, token) != person:
            person, person_day, covered = (author_id, token), None, {}
            group = STAFF_FIELDS.get(professions.get(author_id, ""), STAFF_FIELDS["other"])
        d = day.toordinal()
        if d != person_day:
            person_day, counted = d, set()
        for key in keys_of[place_key]:
            if key in counted:
                continue  # another ward of the same site, or of the organisation
            counted.add(key)
            if not short:
                start = max(d, covered.get(key, d - 1) + 1)
                covered[key] = d + WINDOW_DAYS - 1
                steps[(key, start)] += 1
                steps[(key, d + WINDOW_DAYS)] -= 1
            if d >= first_n:
                contributors[(key, day)] += 1
        if d >= first_n:
            staff[(place_key, day, group)] += n
    if short:
        window = _window_by_day(organisation, first, last, keys_of)
    else:
        window = _window_by_sweep(steps, since, first, last)
    return contributors, window, staff
