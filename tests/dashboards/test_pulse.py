"""Pulse figures cannot be subtracted to give back anybody's check-in.

The attacker here does what a QI lead with a spreadsheet could: download the ward table
and the pulse figures for many date ranges, and subtract any figure from another that
covers more days (by what the download says it covers: the month it names, or else the
range asked for). A difference of fewer check-ins than the threshold is a group too small
to publish; a difference of one is one person's score.
"""

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from itertools import combinations

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboards.models import RollupRun
from dashboards.rollup import day_bounds, rollup_range
from ideas import services
from tests.factories import MembershipFactory, SiteFactory, WardFactory

OVERVIEW = "/city-hospitals/dashboards/"
THRESHOLD = 11


def _days(first: date, last: date) -> frozenset:
    return frozenset(first + timedelta(days=n) for n in range((last - first).days + 1))


def _month_days(month: date) -> frozenset:
    following = (month + timedelta(days=32)).replace(day=1)
    return _days(month, following - timedelta(days=1))


@dataclass(frozen=True)
class Figure:
    """One pulse figure as published: whose, which days it covers, how many, what mean."""

    scope: str
    days: frozenset
    count: int
    mean: float


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return None  # "fewer than 11", "no check-ins", "no complete month"


def read_ward_table(response, asked: tuple[date, date]) -> set[Figure]:
    """The pulse columns of the ward table's CSV."""
    if not response["Content-Type"].startswith("text/csv"):
        return set()
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header = rows[0]
    count_at = next(i for i, h in enumerate(header) if h.startswith("Pulse check-ins"))
    mean_at = next(i for i, h in enumerate(header) if h.startswith("Pulse mean"))
    named = re.search(r"\((\w+ \d{4})\)", header[count_at])
    days = (
        _month_days(datetime.strptime(named.group(1), "%B %Y").date()) if named else _days(*asked)
    )
    figures = set()
    for row in rows[1:]:
        count, mean = _number(row[count_at]), _number(row[mean_at])
        if count is not None and mean is not None:
            figures.add(Figure(f"ward {row[0]}", days, int(count), mean))
    return figures


def read_pulse_table(response) -> set[Figure]:
    """The pulse figures by month (CSV): every level, every month."""
    if not response["Content-Type"].startswith("text/csv"):
        return set()
    figures = set()
    for row in csv.DictReader(io.StringIO(response.content.decode())):
        count, mean = _number(row["Pulse check-ins"]), _number(row["Pulse mean"])
        if count is not None and mean is not None:
            month = datetime.strptime(row["Month"], "%Y-%m").date()
            scope_name = f"{row['Level'].lower()} {row['Ward'] or row['Site or organisation']}"
            figures.add(Figure(scope_name, _month_days(month), int(count), mean))
    return figures


def subtract(figures: set[Figure]) -> list[tuple[int, float, Figure, Figure]]:
    """The attack: for two figures of one scope, one covering strictly more days, the
    difference is the check-ins of the extra days: how many, and their mean score."""
    by_scope = defaultdict(list)
    for figure in figures:
        by_scope[figure.scope].append(figure)
    found = []
    for same in by_scope.values():
        for a, b in combinations(same, 2):
            small, big = (a, b) if a.days < b.days else (b, a)
            if not small.days < big.days:
                continue
            n = big.count - small.count
            if 0 < n < THRESHOLD:
                mean = (big.count * big.mean - small.count * small.mean) / n
                found.append((n, round(mean, 1), small, big))
    return found


@pytest.fixture
def months():
    today = timezone.localdate()
    this_month = today.replace(day=1)
    return today, (this_month - timedelta(days=1)).replace(day=1), this_month


def check_in(organisation, ward, scores_by_day):
    """A different member of `ward` (None: of no ward) checks in on each day."""
    with scopes_disabled():
        members = MembershipFactory.create_batch(
            len(scores_by_day), organisation=organisation, home_ward=ward
        )
    with scope(organisation=organisation):
        for member, (day, score) in zip(members, scores_by_day, strict=True):
            services.pulse_check_in(member=member, score=score, tags=[], day=day)


def roll_up(organisation, first, last):
    with scope(organisation=organisation):
        rollup_range(organisation, first, last)


@pytest.fixture
def twelve_check_ins(organisation, ward, months):
    """The Acute Medical Unit has exactly threshold + 1 check-ins last month, one a day over
    its last twelve days, the last of them scoring 3; Oak Ward, on the same site, 30."""
    today, last_month, this_month = months
    last_day = this_month - timedelta(days=1)
    with scopes_disabled():
        oak = WardFactory(organisation=organisation, site=ward.site, name="Oak Ward")
    scores = [2, 3, 4, 3, 2, 3, 4, 3, 2, 3, 3, 3]
    check_in(
        organisation,
        ward,
        [(last_day - timedelta(days=11 - n), score) for n, score in enumerate(scores)],
    )
    check_in(organisation, oak, [(last_month + timedelta(days=n % 28), 4) for n in range(30)])
    # The month in progress has check-ins too, which must not show until it is over.
    check_in(organisation, ward, [(this_month, 1)] * 12)
    roll_up(organisation, last_month, today)
    return last_day


def test_two_ranges_a_day_apart_give_nobodys_score_away(client_for, lena, twelve_check_ins):
    last_day = twelve_check_ins
    client = client_for(lena)
    start = last_day - timedelta(days=20)
    figures = set()
    for end in (last_day - timedelta(days=1), last_day):
        response = client.get(OVERVIEW, {"start": start, "end": end, "format": "csv"})
        figures |= read_ward_table(response, (start, end))
    assert figures, "the ward table shows the Acute Medical Unit's pulse"
    assert subtract(figures) == []


def test_no_pair_of_ranges_over_a_window_gives_a_small_group_away(
    client_for, lena, twelve_check_ins, months
):
    today, _, this_month = months
    last_day = twelve_check_ins
    window = sorted(_days(last_day - timedelta(days=13), min(today, this_month + timedelta(2))))
    client = client_for(lena)
    figures = set()
    for start, end in [(a, b) for a in window for b in window if a <= b]:
        query = {"start": start, "end": end, "format": "csv"}
        figures |= read_ward_table(client.get(OVERVIEW, query), (start, end))
        if start == window[0]:
            figures |= read_pulse_table(client.get(OVERVIEW, {**query, "table": "pulse"}))
    assert any(f.scope == "ward Acute Medical Unit" and f.count == 12 for f in figures)
    assert subtract(figures) == []
    # Only the whole month is ever published: the month in progress is not.
    assert {f.days for f in figures} == {_month_days(last_day.replace(day=1))}


def test_a_month_is_published_only_once_its_last_day_is_rolled_up_after_it_ended(
    client_for, lena, organisation, twelve_check_ins
):
    last_day = twelve_check_ins
    query = {"start": last_day.replace(day=1), "end": last_day, "format": "csv"}
    with scopes_disabled():
        # As the 15-minute roll-up left it ten minutes before midnight.
        RollupRun.objects.filter(organisation=organisation, day=last_day).update(
            finished_at=day_bounds(last_day)[1] - timedelta(minutes=10)
        )
    client = client_for(lena)
    assert read_pulse_table(client.get(OVERVIEW, {**query, "table": "pulse"})) == set()
    assert "no complete month" in client.get(OVERVIEW, query).content.decode()
    roll_up(organisation, last_day, last_day)  # the nightly run
    assert read_pulse_table(client.get(OVERVIEW, {**query, "table": "pulse"}))


def test_within_a_month_no_total_minus_its_parts_gives_a_small_group_away(
    client_for, lena, organisation, ward, months
):
    """Acute Medical Unit 5 and Oak Ward 30 on one site, Birch Ward 20 on another, and 4
    check-ins of people with no home ward: every published total less its published parts
    leaves nothing, or a group of at least the threshold."""
    today, last_month, _ = months
    with scopes_disabled():
        oak = WardFactory(organisation=organisation, site=ward.site, name="Oak Ward")
        birch = WardFactory(
            organisation=organisation,
            site=SiteFactory(organisation=organisation, name="Hill Hospital"),
            name="Birch Ward",
        )
    for place, n in ((ward, 5), (oak, 30), (birch, 20), (None, 4)):
        check_in(organisation, place, [(last_month + timedelta(days=i), 3) for i in range(n)])
    roll_up(organisation, last_month, today)
    response = client_for(lena).get(
        OVERVIEW, {"start": last_month, "end": last_month, "format": "csv", "table": "pulse"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    shown = {
        (r["Level"], r["Ward"] or r["Site or organisation"]): _number(r["Pulse check-ins"])
        for r in rows
    }
    parts = {
        ("Organisation", organisation.name): [("Site", ward.site.name), ("Site", "Hill Hospital")],
        ("Site", ward.site.name): [("Ward", "Acute Medical Unit"), ("Ward", "Oak Ward")],
        ("Site", "Hill Hospital"): [("Ward", "Birch Ward")],
    }
    for total, its_parts in parts.items():
        if shown[total] is None:
            continue
        left = shown[total] - sum(shown[p] for p in its_parts if shown[p] is not None)
        assert left == 0 or left >= THRESHOLD, (total, left)
    assert shown[("Ward", "Acute Medical Unit")] is None
    assert shown[("Organisation", organisation.name)] == 59


def _in_row_space(rows: list[list[int]], vector: list[int]) -> bool:
    """Whether `vector` is a combination of `rows`: what subtraction can work out."""

    def rank(matrix):
        m = [[Fraction(x) for x in row] for row in matrix]
        r = 0
        for c in range(len(vector)):
            pivot = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
            if pivot is None:
                continue
            m[r], m[pivot] = m[pivot], m[r]
            for i in range(len(m)):
                if i != r and m[i][c] != 0:
                    factor = m[i][c] / m[r][c]
                    m[i] = [a - factor * b for a, b in zip(m[i], m[r], strict=True)]
            r += 1
        return r

    return rank([*rows, vector]) == rank(rows)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(0, 40) | st.integers(0, 12), min_size=1, max_size=4),
        min_size=1,
        max_size=4,
    )
)
def test_no_hidden_ward_or_site_can_be_worked_out(sizes):
    """Exhaustively: from every published total (the organisation, shown sites), no
    subtraction gives back a hidden ward or a hidden site, or a sum of fewer than the
    threshold."""
    from dashboards.suppression import TOTAL, suppressed_hierarchy

    groups = {
        f"site{g}": {f"ward{g}.{p}": n for p, n in enumerate(parts)}
        for g, parts in enumerate(sizes)
    }
    hidden = suppressed_hierarchy(groups, THRESHOLD)
    unknowns = [p for parts in groups.values() for p in parts if p in hidden]
    value = {p: n for parts in groups.values() for p, n in parts.items()}

    def row(keys):
        return [1 if u in keys else 0 for u in unknowns]

    # What the published totals tell about the hidden wards, once shown wards are taken off.
    equations = [row(parts) for g, parts in groups.items() if g not in hidden]
    if TOTAL not in hidden:
        equations.append(row(unknowns))
    for equation in equations:
        left = sum(value[u] for u, used in zip(unknowns, equation, strict=True) if used)
        assert left == 0 or left >= THRESHOLD
    for ward in unknowns:
        if value[ward]:
            assert not _in_row_space(equations, row([ward])), (groups, hidden, ward)
    for site, parts in groups.items():
        if site in hidden:
            assert not _in_row_space(equations, row(parts)), (groups, hidden, site)
    # And nothing shown is itself a small number.
    shown = {**value, **{g: sum(p.values()) for g, p in groups.items()}, TOTAL: sum(value.values())}
    assert all(n == 0 or n >= THRESHOLD for key, n in shown.items() if key not in hidden)


def test_every_page_shows_the_same_whole_month(
    client_for, lena, organisation, ward, twelve_check_ins
):
    last_day = twelve_check_ins
    month = f"{last_day:%B %Y}"
    client = client_for(lena)
    query = {"start": last_day - timedelta(days=3), "end": last_day + timedelta(days=1)}
    overview = client.get(OVERVIEW, query).content.decode()
    assert f"Pulse mean, {month}" in overview
    assert f"Pulse mean ({last_day:%b %Y})" in overview  # the ward table's column
    ward_page = client.get(f"{OVERVIEW}wards/{ward.pk}/", query).content.decode()
    assert f"Pulse mean, {month}" in ward_page
    assert "2.9 / 5" in ward_page  # 35 / 12, rounded to one decimal
    assert "from 12 check-ins" in ward_page
    site_page = client.get(f"{OVERVIEW}sites/{ward.site_id}/", query).content.decode()
    assert "from 42 check-ins" in site_page
    # The last 30 days at the end of a month overlap no complete month: the one before.
    this_month = last_day + timedelta(days=1)
    overview = client.get(OVERVIEW, {"start": this_month, "end": this_month}).content.decode()
    assert f"Pulse mean, {month}" in overview
    spc = client.get(f"{OVERVIEW}spc/").content.decode()
    assert "Pulse check-in mean per month" in spc
    assert f'<td class="nhsuk-table__cell">{month}</td>' in spc
    # The thanks page after a check-in shows the ward's same month, nothing fresher.
    thanks = client.get("/city-hospitals/pulse/thanks/").content.decode()
    assert f"{ward.name} in {month}" in thanks
    assert "from 12 check-ins" in thanks
