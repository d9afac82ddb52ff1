import threading
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboards import rollup
from dashboards.models import STAFF_FIELDS, DailyFact, RollupRun
from dashboards.rollup import RollupBusy, day_bounds, rollup_day
from dashboards.tasks import rollup_today_task
from ideas.models import Comment, Idea, IdeaEvent, PulseCheckIn, Support
from tests.factories import CategoryFactory, MembershipFactory, SiteFactory, WardFactory

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 6, 10)


@pytest.fixture
def place(organisation):
    """Two sites with two wards each, four members and a category."""
    with scopes_disabled():
        sites = [SiteFactory(organisation=organisation, name=f"Site {n}") for n in range(2)]
        wards = [
            WardFactory(organisation=organisation, site=site, name=f"Ward {s}{w}")
            for s, site in enumerate(sites)
            for w in range(2)
        ]
        members = [
            MembershipFactory(organisation=organisation, home_ward=wards[n % 4], profession=p)
            for n, p in enumerate(["nursing_midwifery", "estates_ancillary", "medical_dental", ""])
        ]
        category = CategoryFactory(organisation=organisation)
    return {"wards": wards, "members": members, "category": category, "sites": sites}


def make_idea(organisation, place, *, ward, author, when, kind="idea"):
    """An idea by member `author` (an index), or anonymous by token when author is ('anon', n),
    on ward `ward` (an index), or naming only a site when ward is ('site', n)."""
    anonymous = isinstance(author, tuple)
    site = place["sites"][ward[1]] if isinstance(ward, tuple) else None
    ward = None if site else ward
    with scopes_disabled():
        idea = Idea.objects.create(
            organisation=organisation,
            kind=kind,
            title="Idea",
            description="Text",
            category=place["category"],
            ward=place["wards"][ward] if ward is not None else None,
            site=site,
            is_anonymous=anonymous,
            author=None if anonymous else place["members"][author].user,
            submitter_token=f"token-{author[1]}" if anonymous else "",
        )
        Idea.objects.filter(pk=idea.pk).update(created_at=when)
    return idea


def facts(organisation, day=DAY):
    with scopes_disabled():
        return {
            f.scope_key: f for f in DailyFact.objects.filter(organisation=organisation, day=day)
        }


# A ward (an index), only a site ('site', index), or neither (None).
place_strategy = st.one_of(
    st.none(), st.integers(0, 3), st.tuples(st.just("site"), st.integers(0, 1))
)


def scopes_of(place, ward):
    """The scope keys an idea on `ward` (as in place_strategy) counts towards."""
    if ward is None:
        return ["organisation"]
    if isinstance(ward, tuple):
        return ["organisation", f"site:{place['sites'][ward[1]].pk}"]
    ward = place["wards"][ward]
    return ["organisation", f"ward:{ward.pk}", f"site:{ward.site_id}"]


idea_strategy = st.tuples(
    place_strategy,
    st.one_of(st.integers(0, 3), st.tuples(st.just("anon"), st.integers(0, 2))),  # person
    st.integers(-36 * 60, 60 * 60),  # minutes from the start of DAY: before, in, after
    st.sampled_from(["idea", "concern", "praise"]),
    st.integers(0, 3),  # supports
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ideas=st.lists(idea_strategy, max_size=12),
    pulses=st.lists(st.tuples(st.integers(0, 3), st.integers(1, 5)), max_size=8),
)
def test_rollup_equals_a_straightforward_computation(organisation, place, ideas, pulses):
    start, end = day_bounds(DAY)
    with transaction.atomic():
        expected = defaultdict(lambda: defaultdict(int))
        people = defaultdict(set)
        groups = defaultdict(int)  # (scope, staff group): ideas
        wards = place["wards"]

        def scopes(ward):
            return scopes_of(place, ward)

        for ward, person, minutes, kind, support_count in ideas:
            when = start + timedelta(minutes=minutes)
            idea = make_idea(organisation, place, ward=ward, author=person, when=when, kind=kind)
            with scopes_disabled():
                for n in range(support_count):
                    support = Support.objects.create(
                        organisation=organisation, idea=idea, user=place["members"][n].user
                    )
                    Support.objects.filter(pk=support.pk).update(created_at=when)
            if start <= when < end:
                for key in scopes(ward):
                    expected[key]["ideas"] += 1
                    expected[key][f"ideas_{kind}"] += 1
                    expected[key]["supports"] += support_count
                    people[key].add(person)
                group = "" if isinstance(person, tuple) else place["members"][person].profession
                for key in scopes(ward):
                    groups[(key, group)] += 1
        for ward, score in pulses:
            with scopes_disabled():
                PulseCheckIn.objects.create(
                    organisation=organisation,
                    ward=wards[ward],
                    day=DAY,
                    day_token=f"{ward}-{score}-{len(expected)}-{PulseCheckIn.objects.count()}",
                    score=score,
                )
            for key in scopes(ward):
                expected[key]["pulse_count"] += 1
                expected[key]["pulse_sum"] += score

        with scope(organisation=organisation):
            rollup_day(organisation, DAY)
        got = facts(organisation)
        for key, fact in got.items():
            for field in (
                "ideas",
                "ideas_idea",
                "ideas_concern",
                "ideas_praise",
                "supports",
                "pulse_count",
                "pulse_sum",
            ):
                assert getattr(fact, field) == expected[key][field], (key, field)
            assert fact.contributors == len(people[key]), key
            for group, field in STAFF_FIELDS.items():
                assert getattr(fact, field) == groups[(key, group)], (key, field)
        transaction.set_rollback(True)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    ideas=st.lists(
        st.tuples(
            place_strategy,
            st.one_of(st.integers(0, 3), st.tuples(st.just("anon"), st.integers(0, 2))),
            st.integers(-40, 20),  # day, from the start of the range
        ),
        max_size=15,
    )
)
def test_a_range_counts_the_trailing_30_days_like_a_straightforward_computation(
    organisation, place, ideas
):
    """The sliding window of a long range, against counting each day's 30 days afresh."""
    first, days = date(2026, 6, 1), 14
    with transaction.atomic():
        shared = []  # (scopes, person, day)
        for ward, person, offset in ideas:
            day = first + timedelta(days=offset)
            when = datetime(day.year, day.month, day.day, 12, tzinfo=LONDON)
            make_idea(organisation, place, ward=ward, author=person, when=when)
            shared.append((scopes_of(place, ward), person, day))
        with scope(organisation=organisation):
            rollup.rollup_range(organisation, first, first + timedelta(days=days - 1))
        with scopes_disabled():
            got = {
                (f.scope_key, f.day): (f.contributors, f.contributors_30d)
                for f in DailyFact.objects.filter(organisation=organisation)
            }
        for (key, day), (today, window) in got.items():
            assert today == len({p for s, p, d in shared if key in s and d == day}), (key, day)
            assert window == len(
                {p for s, p, d in shared if key in s and 0 <= (day - d).days < 30}
            ), (key, day)
        transaction.set_rollback(True)


@pytest.mark.parametrize("days", [1, 14])  # the 30-day figure by day, and by the sweep
def test_an_idea_naming_only_a_site_counts_for_its_site_and_organisation_never_a_ward(
    organisation, place, days
):
    when = datetime(2026, 6, 10, 9, tzinfo=LONDON)
    idea = make_idea(organisation, place, ward=("site", 0), author=("anon", 1), when=when)
    with scopes_disabled():
        support = Support.objects.create(
            organisation=organisation, idea=idea, user=place["members"][0].user
        )
        comment = Comment.objects.create(
            organisation=organisation, idea=idea, author=place["members"][1].user, body="Yes"
        )
        event = IdeaEvent.objects.create(
            organisation=organisation,
            idea=idea,
            type=IdeaEvent.Type.STATUS,
            from_status="submitted",
            to_status="under_review",
        )
        for row in (support, comment, event):
            type(row).objects.filter(pk=row.pk).update(created_at=when + timedelta(hours=1))
        Idea.objects.filter(pk=idea.pk).update(first_response_at=when + timedelta(hours=3))
    first = DAY - timedelta(days=days - 1)
    with scope(organisation=organisation):
        rollup.rollup_range(organisation, first, DAY)
    got = facts(organisation)
    figures = [
        "ideas",
        "ideas_idea",
        "supports",
        "comments",
        "reviewed",
        "responded",
        "responded_within_target",
        "contributors",
        "contributors_30d",
        "staff_not_stated",
    ]
    site = place["sites"][0]
    for key in ("organisation", f"site:{site.pk}"):
        assert {f: getattr(got[key], f) for f in figures} == dict.fromkeys(figures, 1), key
        assert got[key].response_hours_median == 3, key
    for key in [f"site:{place['sites'][1].pk}"] + [f"ward:{w.pk}" for w in place["wards"]]:
        assert {f: getattr(got[key], f) for f in figures} == dict.fromkeys(figures, 0), key
        assert got[key].response_hours_median is None, key
    assert len(got) == 1 + 2 + 4  # no row of its own for the site-only place


def test_running_a_day_twice_leaves_identical_rows(organisation, place):
    make_idea(organisation, place, ward=0, author=0, when=datetime(2026, 6, 10, 9, tzinfo=LONDON))
    make_idea(
        organisation,
        place,
        ward=1,
        author=("anon", 1),
        when=datetime(2026, 6, 10, 10, tzinfo=LONDON),
    )

    def snapshot():
        with scopes_disabled():
            return sorted(
                tuple(sorted((k, v) for k, v in row.items() if k != "id"))
                for row in DailyFact.objects.filter(organisation=organisation).values()
            )

    with scope(organisation=organisation):
        rollup_day(organisation, DAY)
        first = snapshot()
        rollup_day(organisation, DAY)
    assert snapshot() == first
    assert len(first) == 1 + 2 + 4  # the organisation, two sites, four wards


def test_days_follow_london_time_across_the_clock_changes(organisation, place):
    utc = ZoneInfo("UTC")
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    make_idea(organisation, place, ward=0, author=0, when=datetime(2026, 6, 30, 23, 30, tzinfo=utc))
    # The clocks go back on 25 October 2026: that London day lasts 25 hours.
    make_idea(
        organisation, place, ward=0, author=1, when=datetime(2026, 10, 24, 23, 30, tzinfo=utc)
    )
    make_idea(
        organisation, place, ward=0, author=2, when=datetime(2026, 10, 25, 23, 30, tzinfo=utc)
    )
    with scope(organisation=organisation):
        for day in (date(2026, 6, 30), date(2026, 7, 1), date(2026, 10, 24), date(2026, 10, 25)):
            rollup_day(organisation, day)
    assert facts(organisation, date(2026, 6, 30))["organisation"].ideas == 0
    assert facts(organisation, date(2026, 7, 1))["organisation"].ideas == 1
    assert facts(organisation, date(2026, 10, 24))["organisation"].ideas == 0
    assert facts(organisation, date(2026, 10, 25))["organisation"].ideas == 2
    # Aware datetimes in one zone subtract as wall-clock times: compare in UTC.
    start, end = day_bounds(date(2026, 10, 25))
    assert end.astimezone(utc) - start.astimezone(utc) == timedelta(hours=25)
    start, end = day_bounds(date(2026, 3, 29))
    assert end.astimezone(utc) - start.astimezone(utc) == timedelta(hours=23)


def test_contributors_count_people_once_at_each_level(organisation, place):
    when = datetime(2026, 6, 10, 9, tzinfo=LONDON)
    for ward in (0, 1, 2):
        make_idea(organisation, place, ward=ward, author=0, when=when)
    make_idea(organisation, place, ward=0, author=("anon", 7), when=when)
    make_idea(organisation, place, ward=0, author=("anon", 7), when=when)
    with scope(organisation=organisation):
        rollup_day(organisation, DAY)
    got = facts(organisation)
    wards, sites = place["wards"], place["sites"]
    assert got["organisation"].contributors == 2
    assert got[f"ward:{wards[0].pk}"].contributors == 2
    assert got[f"site:{sites[0].pk}"].contributors == 1 + 1  # member 0 and the anonymous person
    assert got[f"site:{sites[1].pk}"].contributors == 1


def test_anonymous_ideas_count_as_staff_group_not_stated(organisation, place):
    when = datetime(2026, 6, 10, 9, tzinfo=LONDON)
    make_idea(organisation, place, ward=0, author=0, when=when)
    make_idea(organisation, place, ward=0, author=("anon", 1), when=when)
    with scope(organisation=organisation):
        rollup_day(organisation, DAY)
    got = facts(organisation)
    for key in ("organisation", f"ward:{place['wards'][0].pk}", f"site:{place['sites'][0].pk}"):
        groups = {field: getattr(got[key], field) for field in STAFF_FIELDS.values()}
        assert {f: n for f, n in groups.items() if n} == {
            "staff_nursing_midwifery": 1,
            "staff_not_stated": 1,
        }, key


def test_time_to_first_response_and_answered_within_target(organisation, place):
    created = datetime(2026, 6, 1, 9, tzinfo=LONDON)
    quick = make_idea(organisation, place, ward=0, author=0, when=created)
    slow = make_idea(organisation, place, ward=0, author=1, when=created - timedelta(days=20))
    with scopes_disabled():
        Idea.objects.filter(pk__in=[quick.pk, slow.pk]).update(
            first_response_at=datetime(2026, 6, 10, 9, tzinfo=LONDON)
        )
    with scope(organisation=organisation):
        rollup_day(organisation, DAY)
    org = facts(organisation)["organisation"]
    assert org.responded == 2
    assert org.responded_within_target == 0  # 9 and 29 days against a 7-day target
    assert org.response_hours_median == (9 * 24 + 29 * 24) / 2


def test_a_failed_run_leaves_the_previous_figures_and_the_next_run_completes(
    organisation, place, monkeypatch
):
    make_idea(organisation, place, ward=0, author=0, when=datetime(2026, 6, 10, 9, tzinfo=LONDON))
    with scope(organisation=organisation):
        rollup_day(organisation, DAY)
    make_idea(organisation, place, ward=0, author=1, when=datetime(2026, 6, 10, 11, tzinfo=LONDON))

    write = rollup._insert

    def killed_after_writing(model, fields, rows):
        write(model, fields, rows)
        raise RuntimeError("worker killed")

    monkeypatch.setattr(rollup, "_insert", killed_after_writing)
    with scope(organisation=organisation), pytest.raises(RuntimeError):
        rollup_day(organisation, DAY)
    assert facts(organisation)["organisation"].ideas == 1  # the old day, whole
    monkeypatch.undo()
    with scope(organisation=organisation):
        rollup_day(organisation, DAY)
    assert facts(organisation)["organisation"].ideas == 2


@pytest.mark.django_db(transaction=True)
def test_two_runs_of_the_same_day_never_overlap(postgresql, organisation):
    with scope(organisation=organisation):
        rollup_day(organisation, DAY)
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        with scopes_disabled(), transaction.atomic():
            RollupRun.objects.select_for_update().get(organisation=organisation, day=DAY)
            locked.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(10)
        with scope(organisation=organisation), pytest.raises(RollupBusy):
            rollup_day(organisation, DAY)
    finally:
        release.set()
        holder.join()
    with scope(organisation=organisation):
        rollup_day(organisation, DAY)  # free again


def test_backfill_command_and_its_errors(organisation, place, capsys):
    call_command(
        "rollup_metrics", "--from", "2026-06-08", "--to", "2026-06-10", "--org", organisation.slug
    )
    assert "rolled up 3 days" in capsys.readouterr().out
    with scopes_disabled():
        assert set(DailyFact.objects.values_list("day", flat=True)) == {
            date(2026, 6, 8),
            date(2026, 6, 9),
            date(2026, 6, 10),
        }
    for args, message in [
        (["--from", "10/06/2026", "--to", "2026-06-10"], "is not a date"),
        (["--from", "2026-06-10", "--to", "2026-06-01"], "must not be before"),
        (["--from", "2026-06-10", "--to", "2026-06-10", "--org", "nowhere"], "No organisation"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("rollup_metrics", *args)


def test_scheduled_task_fans_out_to_every_organisation(organisation, other_organisation):
    assert rollup_today_task.delay().get() == 2
    with scopes_disabled():
        assert set(
            DailyFact.objects.filter(level="organisation").values_list("organisation", flat=True)
        ) == {organisation.pk, other_organisation.pk}


def test_schedules_are_in_django_celery_beat(db):
    from django_celery_beat.models import PeriodicTask

    tasks = dict(PeriodicTask.objects.values_list("task", "crontab__minute"))
    assert tasks["dashboards.tasks.rollup_today_task"] == "*/15"
    assert "dashboards.tasks.rollup_yesterday_task" in tasks


def test_a_range_gives_the_same_rows_as_its_days_one_by_one(organisation, place):
    from dashboards.rollup import rollup_range

    for n, (day, hour) in enumerate([(8, 9), (9, 23), (10, 0), (10, 12), (11, 1)]):
        make_idea(
            organisation,
            place,
            ward=n % 4,
            author=n % 3,
            when=datetime(2026, 6, day, hour, 30, tzinfo=LONDON),
        )
    make_idea(
        organisation,
        place,
        ward=None,
        author=("anon", 1),
        when=datetime(2026, 5, 20, 9, tzinfo=LONDON),
    )  # in the 30-day window only

    def snapshot():
        with scopes_disabled():
            return sorted(
                tuple(sorted((k, v) for k, v in row.items() if k != "id"))
                for row in DailyFact.objects.filter(organisation=organisation).values()
            )

    # A range counts the trailing 30 days by a sliding window, a single day in SQL.
    with scope(organisation=organisation):
        rollup_range(organisation, date(2026, 6, 7), date(2026, 6, 20))
        by_range = snapshot()
        for day in range(7, 21):
            rollup_day(organisation, date(2026, 6, day))
    assert snapshot() == by_range
    with scopes_disabled():
        org = {
            f.day: f
            for f in DailyFact.objects.filter(organisation=organisation, scope_key="organisation")
        }
    assert [org[date(2026, 6, d)].ideas for d in range(7, 13)] == [0, 1, 1, 2, 1, 0]
    assert org[date(2026, 6, 7)].contributors_30d == 1  # the anonymous person of 20 May
    assert org[date(2026, 6, 11)].contributors_30d == 4
    assert org[date(2026, 6, 18)].contributors_30d == 4  # 20 May is the window's first day
    assert org[date(2026, 6, 19)].contributors_30d == 3


def test_an_urgent_concern_is_answered_within_its_shorter_target(organisation, place):
    """The roll-up asks ideas.selectors.response_target, as the inbox does: an urgent
    concern answered after 3 days missed its 2-day target; an idea answered then did not."""
    created = datetime(2026, 6, 7, 9, tzinfo=LONDON)
    urgent = make_idea(organisation, place, ward=0, author=0, when=created)
    usual = make_idea(organisation, place, ward=0, author=1, when=created)
    with scopes_disabled():
        Idea.objects.filter(pk=urgent.pk).update(kind="concern", is_urgent=True)
        Idea.objects.filter(pk__in=[urgent.pk, usual.pk]).update(
            first_response_at=datetime(2026, 6, 10, 9, tzinfo=LONDON)
        )
    with scope(organisation=organisation):
        rollup_day(organisation, DAY)
    org = facts(organisation)["organisation"]
    assert (org.responded, org.responded_within_target) == (2, 1)
