"""The engagement SPC page and the tiles, as an analyst reads them: complete weeks only,
messages worded from the figures shown, counts floored at zero, and answered within
target counting the ideas still waiting past it."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from dashboards.models import DailyFact
from dashboards.spc_charts import complete_weeks, engagement_charts
from ideas.models import Idea
from tests.factories import IdeaFactory

SPC = "/city-hospitals/dashboards/spc/"
OVERVIEW = "/city-hospitals/dashboards/"


def fact(organisation, day, **figures):
    with scopes_disabled():
        DailyFact.objects.create(
            organisation=organisation,
            day=day,
            level="organisation",
            scope_key="organisation",
            **figures,
        )


def test_complete_weeks_leave_out_the_week_just_begun_and_a_part_week_at_the_start():
    monday = date(2025, 11, 24)  # a Monday morning
    weeks = complete_weeks(date(2025, 5, 28), monday, monday)  # from a Wednesday
    assert weeks.first == date(2025, 6, 2) and weeks.last == date(2025, 11, 23)
    assert weeks.count == 25
    assert weeks.part_week_before == (date(2025, 5, 28), date(2025, 6, 1))
    assert weeks.this_week == monday
    sunday = complete_weeks(date(2025, 11, 3), date(2025, 11, 23), date(2025, 11, 24))
    assert (sunday.count, sunday.this_week) == (3, None)
    wednesday = complete_weeks(date(2025, 11, 3), date(2025, 11, 19), date(2025, 11, 24))
    assert wednesday.count == 2
    assert wednesday.part_week_after == (date(2025, 11, 17), date(2025, 11, 19))
    assert weeks.part_week_after is None and sunday.part_week_after is None
    # On Sunday itself that week is not over yet.
    assert complete_weeks(date(2025, 11, 3), date(2025, 11, 23), date(2025, 11, 23)).count == 2


def test_monday_morning_is_not_a_week_of_nothing(organisation):
    monday = date(2025, 11, 24)
    for week in range(1, 21):
        for d in range(7):
            fact(organisation, monday - timedelta(weeks=week) + timedelta(days=d), ideas=2)
    fact(organisation, monday, ideas=0)  # Monday morning: nothing yet
    with scopes_disabled():
        charts, series = engagement_charts(
            organisation, monday - timedelta(weeks=20), monday, monday
        )
    ideas = next(c for c in charts if c["key"] == "ideas")
    assert [w for w, _ in ideas["points"]][-1] == date(2025, 11, 17)
    assert len(ideas["points"]) == 20 and ideas["so_far"] == 0
    assert ideas["chart"]["points"][-1]["classes"] == "iw-point"  # not flagged
    assert "concern" not in ideas["chart"]["summary"]
    assert all(w != monday for w, _ in series["ideas"])


def test_the_message_says_what_the_range_has_and_what_is_missing(client_for, lena, organisation):
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    for week in range(1, 5):  # four complete weeks with figures
        fact(organisation, this_monday - timedelta(weeks=week), ideas=3)
    page = client_for(lena).get(SPC).content.decode()  # the last 26 weeks by default
    assert "This range has 26 complete weeks" in page or "This range has 25 complete weeks" in page
    assert "4 of them have figures, the other" in page
    assert "(the figures start in the week beginning" in page
    assert "A chart needs at least 6 weeks of figures." in page
    assert "choose a longer range" not in page.lower()


def test_counts_are_charted_with_a_floor_at_zero(client_for, lena, organisation):
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    for week, ideas in enumerate([0, 2, 1, 0, 3, 1, 0, 2, 1, 0, 1, 1, 0, 2], start=1):
        fact(organisation, this_monday - timedelta(weeks=week), ideas=ideas)
    with scopes_disabled():
        charts, _ = engagement_charts(organisation, this_monday - timedelta(weeks=14), today, today)
    ideas = next(c for c in charts if c["key"] == "ideas")["chart"]
    assert "Lower limit 0.0 ideas" in [line["label"] for line in ideas["lines"]]
    for layout in ideas["layouts"]:
        assert all(not t["label"].startswith("-") for t in layout["y_ticks"])
    page = client_for(lena).get(SPC).content.decode()
    assert ">-0." not in page


def past_target(organisation, ward, *, days_ago):
    with scopes_disabled():
        idea = IdeaFactory(organisation=organisation, ward=ward)
        Idea.objects.filter(pk=idea.pk).update(created_at=timezone.now() - timedelta(days=days_ago))


@pytest.mark.django_db
def test_answered_within_target_counts_ideas_still_waiting_past_it(
    client_for, lena, organisation, ward
):
    today = timezone.localdate()
    fact(organisation, today, responded=3, responded_within_target=3)
    past_target(organisation, ward, days_ago=10)  # due 3 days ago, still waiting
    past_target(organisation, ward, days_ago=12)
    past_target(organisation, ward, days_ago=2)  # not due yet
    page = client_for(lena).get(OVERVIEW).content.decode()
    assert ">60.0%<" in page  # 3 answered on time of 5 due
    assert "2 ideas still waiting past the target count as missed." in page


def test_previous_period_says_why_it_is_not_shown(client_for, lena, organisation):
    page = client_for(lena).get(OVERVIEW).content.decode()
    joined = timezone.localdate()
    assert (
        "Previous period: not shown, as the previous period is before City Hospitals NHS "
        f"Foundation Trust joined on {joined.day} {joined:%B %Y}"
    ) in page
    with scopes_disabled():
        organisation.created_at = timezone.now() - timedelta(days=400)
        organisation.save()
    page = client_for(lena).get(OVERVIEW).content.decode()
    assert "no ideas were due an answer in the previous period" in page


def test_a_chart_of_fewer_weeks_than_the_range_says_where_the_figures_start(
    client_for, lena, organisation
):
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    for week in range(1, 15):
        fact(organisation, this_monday - timedelta(weeks=week), ideas=3 + week % 2)
    fact(organisation, today, ideas=1)
    page = client_for(lena).get(SPC).content.decode()
    assert "14 of them have figures" in page
    first = this_monday - timedelta(weeks=14)
    assert f"(the figures start in the week beginning {first.day} {first:%B %Y})" in page
    assert 'id="spc-ideas"' in page
    assert "This week so far (not charted): 1 idea." in page


def test_the_ward_table_counts_ideas_waiting_past_the_target_too(
    client_for, lena, organisation, ward
):
    today = timezone.localdate()
    with scopes_disabled():
        DailyFact.objects.create(
            organisation=organisation,
            day=today,
            level="ward",
            scope_key=f"ward:{ward.pk}",
            ward=ward,
            responded=1,
            responded_within_target=1,
        )
    past_target(organisation, ward, days_ago=9)
    page = client_for(lena).get(OVERVIEW, {"sort": "answered"}).content.decode()
    assert ">50.0%<" in page  # 1 on time of 2 due


@pytest.mark.django_db
def test_an_urgent_concern_waiting_past_its_shorter_target_counts_as_missed(
    client_for, lena, organisation, ward
):
    today = timezone.localdate()
    fact(organisation, today, responded=1, responded_within_target=1)
    past_target(organisation, ward, days_ago=3)  # within the usual 7 days
    with scopes_disabled():
        Idea.objects.filter(organisation=organisation).update(kind="concern", is_urgent=True)
    page = client_for(lena).get(OVERVIEW).content.decode()
    assert ">50.0%<" in page  # 1 answered on time of 2 due: the urgent one is 1 day late
    assert "1 idea still waiting past the target counts as missed." in page
