"""The floor: the roll-up's aggregation as one hand-written SQL statement.

Two statements, both over every organisation and a range of London days at once:

WARD_FLOOR  the per-ward aggregates the benchmark spec lists: ideas by kind, supports,
            comments, funnel events, pulse count and sum, distinct contributors per ward.
FULL_FLOOR  everything the roll-up stores: the above plus responses (count, within
            target, median hours), active members, distinct contributors today and over
            the trailing 30 days at ward, site and organisation level, and ideas and
            ideas per staff group, at every level. GROUPING SETS gives
            the levels in one pass. The 30-day figure is counted per day for a short
            range and, for a long one, by sweeping each person's days in order (a
            window function) rather than counting every idea again on each of its days.

Each returns its rows to Python (fetchall), as the roll-up reads its rows; neither
writes them, which the roll-up does (a few dozen rows per organisation-day).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from dashboards.models import STAFF_FIELDS
from dashboards.rollup import ADDITIVE, SHORT_RANGE_DAYS

LONDON = ZoneInfo("Europe/London")
LOCAL_DAY = "(({col}) AT TIME ZONE 'Europe/London')::date"


def _local_day(column: str) -> str:
    return LOCAL_DAY.format(col=column)


WARD_FLOOR = f"""
WITH i AS (
    SELECT organisation_id AS org, {_local_day("created_at")} AS day,
           coalesce(ward_id, 0) AS w,
           count(*) AS ideas,
           count(*) FILTER (WHERE kind = 'idea') AS ideas_idea,
           count(*) FILTER (WHERE kind = 'concern') AS ideas_concern,
           count(*) FILTER (WHERE kind = 'praise') AS ideas_praise,
           count(DISTINCT (coalesce(author_id::text, '') || submitter_token) COLLATE "C")
               AS contributors
    FROM ideas_idea
    WHERE created_at >= %(lo)s AND created_at < %(hi)s
    GROUP BY 1, 2, 3
), s AS (
    SELECT s.organisation_id AS org, {_local_day("s.created_at")} AS day,
           coalesce(i.ward_id, 0) AS w, count(*) AS supports
    FROM ideas_support s JOIN ideas_idea i ON i.id = s.idea_id
    WHERE s.organisation_id = ANY(%(orgs)s)
      AND s.created_at >= %(lo)s AND s.created_at < %(hi)s
    GROUP BY 1, 2, 3
), c AS (
    SELECT c.organisation_id AS org, {_local_day("c.created_at")} AS day,
           coalesce(i.ward_id, 0) AS w, count(*) AS comments
    FROM ideas_comment c JOIN ideas_idea i ON i.id = c.idea_id
    WHERE c.organisation_id = ANY(%(orgs)s)
      AND c.created_at >= %(lo)s AND c.created_at < %(hi)s
    GROUP BY 1, 2, 3
), e AS (
    SELECT e.organisation_id AS org, {_local_day("e.created_at")} AS day,
           coalesce(i.ward_id, 0) AS w,
           count(*) FILTER (WHERE e.to_status = 'under_review') AS reviewed,
           count(*) FILTER (WHERE e.to_status = 'in_progress') AS in_progress,
           count(*) FILTER (WHERE e.to_status = 'implemented') AS implemented,
           count(*) FILTER (WHERE e.to_status = 'not_taken_forward') AS not_taken_forward
    FROM ideas_ideaevent e JOIN ideas_idea i ON i.id = e.idea_id
    WHERE e.organisation_id = ANY(%(orgs)s) AND e.type = 'status'
      AND e.created_at >= %(lo)s AND e.created_at < %(hi)s
    GROUP BY 1, 2, 3
), p AS (
    SELECT organisation_id AS org, day, coalesce(ward_id, 0) AS w,
           count(*) AS pulse_count, sum(score) AS pulse_sum
    FROM ideas_pulsecheckin
    WHERE organisation_id = ANY(%(orgs)s) AND day BETWEEN %(first)s AND %(last)s
    GROUP BY 1, 2, 3
)
SELECT org, day, nullif(w, 0) AS ward_id,
       ideas, ideas_idea, ideas_concern, ideas_praise, contributors, supports, comments,
       reviewed, in_progress, implemented, not_taken_forward, pulse_count, pulse_sum
FROM i
FULL JOIN s USING (org, day, w)
FULL JOIN c USING (org, day, w)
FULL JOIN e USING (org, day, w)
FULL JOIN p USING (org, day, w)
"""  # noqa: S608 (built from constants, values are parameters)

_NO_FIGURES = ", ".join(f"NULL::bigint AS {field}" for field in ADDITIVE)
_STAFF = ",\n           ".join(
    f"count(u.person) FILTER (WHERE u.profession = '{profession}') AS {field}"
    for profession, field in STAFF_FIELDS.items()
)
_SUMS = ", ".join(f"sum(u.{field})::bigint AS {field}" for field in ADDITIVE)

FULL_FLOOR = f"""
WITH days AS (
    SELECT d::date AS day
    FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') d
), ideas AS (
    -- The ideas of the range and of the 29 days before it (for the 30-day window).
    SELECT organisation_id AS org, {_local_day("created_at")} AS day,
           coalesce(ward_id, 0) AS w, kind, author_id,
           (coalesce(author_id::text, '') || submitter_token) COLLATE "C" AS person
    FROM ideas_idea
    WHERE created_at >= %(lo30)s AND created_at < %(hi)s
), i AS (
    SELECT org, day, w, count(*) AS ideas,
           count(*) FILTER (WHERE kind = 'idea') AS ideas_idea,
           count(*) FILTER (WHERE kind = 'concern') AS ideas_concern,
           count(*) FILTER (WHERE kind = 'praise') AS ideas_praise
    FROM ideas WHERE day >= %(first)s
    GROUP BY 1, 2, 3
), s AS (
    SELECT s.organisation_id AS org, {_local_day("s.created_at")} AS day,
           coalesce(i.ward_id, 0) AS w, count(*) AS supports
    FROM ideas_support s JOIN ideas_idea i ON i.id = s.idea_id
    WHERE s.organisation_id = ANY(%(orgs)s)
      AND s.created_at >= %(lo)s AND s.created_at < %(hi)s
    GROUP BY 1, 2, 3
), c AS (
    SELECT c.organisation_id AS org, {_local_day("c.created_at")} AS day,
           coalesce(i.ward_id, 0) AS w, count(*) AS comments
    FROM ideas_comment c JOIN ideas_idea i ON i.id = c.idea_id
    WHERE c.organisation_id = ANY(%(orgs)s)
      AND c.created_at >= %(lo)s AND c.created_at < %(hi)s
    GROUP BY 1, 2, 3
), e AS (
    SELECT e.organisation_id AS org, {_local_day("e.created_at")} AS day,
           coalesce(i.ward_id, 0) AS w,
           count(*) FILTER (WHERE e.to_status = 'under_review') AS reviewed,
           count(*) FILTER (WHERE e.to_status = 'in_progress') AS in_progress,
           count(*) FILTER (WHERE e.to_status = 'implemented') AS implemented,
           count(*) FILTER (WHERE e.to_status = 'not_taken_forward') AS not_taken_forward
    FROM ideas_ideaevent e JOIN ideas_idea i ON i.id = e.idea_id
    WHERE e.organisation_id = ANY(%(orgs)s) AND e.type = 'status'
      AND e.created_at >= %(lo)s AND e.created_at < %(hi)s
    GROUP BY 1, 2, 3
), answered AS (
    SELECT i.organisation_id AS org, {_local_day("i.first_response_at")} AS day,
           coalesce(i.ward_id, 0) AS w,
           i.first_response_at - i.created_at <= o.response_target_days * interval '1 day'
               AS in_target,
           extract(epoch FROM i.first_response_at - i.created_at) / 3600 AS hours
    FROM ideas_idea i JOIN organisations_organisation o ON o.id = i.organisation_id
    WHERE i.organisation_id = ANY(%(orgs)s)
      AND i.first_response_at >= %(lo)s AND i.first_response_at < %(hi)s
), r AS (
    SELECT org, day, w, count(*) AS responded,
           count(*) FILTER (WHERE in_target) AS responded_within_target
    FROM answered GROUP BY 1, 2, 3
), p AS (
    SELECT organisation_id AS org, day, coalesce(ward_id, 0) AS w,
           count(*) AS pulse_count, sum(score) AS pulse_sum
    FROM ideas_pulsecheckin
    WHERE organisation_id = ANY(%(orgs)s) AND day BETWEEN %(first)s AND %(last)s
    GROUP BY 1, 2, 3
), m AS (
    SELECT x.org, days.day, x.w, x.active_members
    FROM (
        SELECT organisation_id AS org, coalesce(home_ward_id, 0) AS w, count(*) AS active_members
        FROM organisations_membership WHERE is_active
        GROUP BY 1, 2
    ) x CROSS JOIN days
), additive AS (
    SELECT * FROM i
    FULL JOIN s USING (org, day, w)
    FULL JOIN c USING (org, day, w)
    FULL JOIN e USING (org, day, w)
    FULL JOIN r USING (org, day, w)
    FULL JOIN p USING (org, day, w)
    FULL JOIN m USING (org, day, w)
), u AS (
    SELECT org, day, w, {", ".join(ADDITIVE)},
           NULL::text AS person, NULL::text AS profession, NULL::float8 AS hours
    FROM additive
    UNION ALL
    -- One row per idea of the day: distinct people today, and staff groups.
    SELECT ideas.org, ideas.day, ideas.w, {_NO_FIGURES},
           ideas.person, coalesce(mb.profession, ''), NULL
    FROM ideas
    LEFT JOIN organisations_membership mb
           ON mb.user_id = ideas.author_id AND mb.organisation_id = ideas.org
    WHERE ideas.day >= %(first)s
    UNION ALL
    SELECT org, day, w, {_NO_FIGURES}, NULL, NULL, hours FROM answered
), levels AS (
    SELECT u.org, u.day,
           CASE WHEN GROUPING(u.w) = 0 THEN 'ward'
                WHEN GROUPING(wd.site_id) = 0 THEN 'site'
                ELSE 'organisation' END AS level,
           wd.site_id, nullif(u.w, 0) AS ward_id,
           {_SUMS},
           {_STAFF},
           count(DISTINCT u.person) AS contributors,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY u.hours) AS response_hours_median
    FROM u LEFT JOIN organisations_ward wd ON wd.id = nullif(u.w, 0)
    GROUP BY GROUPING SETS (
        (u.org, u.day), (u.org, u.day, wd.site_id), (u.org, u.day, wd.site_id, u.w)
    )
    HAVING (GROUPING(wd.site_id) = 1 OR wd.site_id IS NOT NULL)
       AND (GROUPING(u.w) = 1 OR u.w <> 0)
{{window}}SELECT levels.*, coalesce(window_people.people, 0) AS contributors_30d
FROM levels
LEFT JOIN window_people
       ON window_people.org = levels.org AND window_people.day = levels.day
      AND window_people.scope = CASE levels.level
              WHEN 'organisation' THEN 'organisation'
              WHEN 'site' THEN 'site:' || levels.site_id
              WHEN 'ward' THEN 'ward:' || levels.ward_id
          END
"""  # noqa: S608 (built from constants, values are parameters)

# Each idea's person once per level it counts at: the organisation, the site, the ward.
_AT_EACH_LEVEL = """LEFT JOIN organisations_ward wd ON wd.id = nullif(ideas.w, 0)
    CROSS JOIN LATERAL (VALUES
        ('organisation'),
        ('site:' || wd.site_id),
        (CASE WHEN ideas.w <> 0 THEN 'ward:' || ideas.w END)
    ) AS level(scope)
    WHERE level.scope IS NOT NULL"""

# The trailing 30-day distinct contributors, two ways: a short range counts the people of
# each day's window directly (hash DISTINCT, then count); a long range sweeps each
# person's days in order instead of repeating every idea on each of its 30 days.
WINDOW_EXPAND = f"""), window_people AS (
    SELECT org, scope, day, count(*) AS people
    FROM (
        SELECT DISTINCT ideas.org, level.scope, days.day, ideas.person
        FROM ideas
        JOIN days ON days.day BETWEEN ideas.day AND ideas.day + 29
        {_AT_EACH_LEVEL}
    ) present
    GROUP BY org, scope, day
)
"""  # noqa: S608 (built from constants)
WINDOW_SWEEP = f"""), seen AS (
    -- The days each person shared, at each level (a repeat on the same day is harmless:
    -- its +1 and -1 below fall on the same day).
    SELECT ideas.org, level.scope, ideas.person, ideas.day
    FROM ideas
    {_AT_EACH_LEVEL}
), steps AS (
    -- Someone who shared on day x counts on days x to x + 29. Taking their days in
    -- order, each one extends that from where the previous one stopped: +1 on the day
    -- the extension starts, -1 on the day after it ends.
    SELECT org, scope, greatest(day, lag(day) OVER same + 30) AS gain, day + 30 AS loss
    FROM seen
    WINDOW same AS (PARTITION BY org, scope, person ORDER BY day)
), window_people AS (
    -- The running total of those steps, on every day of the range.
    SELECT org, scope, day, sum(sum(delta)) OVER (PARTITION BY org, scope ORDER BY day) AS people
    FROM (
        SELECT org, scope, gain AS day, 1 AS delta FROM steps
        UNION ALL
        SELECT org, scope, loss, -1 FROM steps
        UNION ALL
        SELECT k.org, k.scope, g.day::date, 0
        FROM (SELECT DISTINCT org, scope FROM steps) k
        CROSS JOIN generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS g(day)
    ) x
    GROUP BY org, scope, day
)
"""  # noqa: S608 (built from constants)

STATEMENTS = {"ward": WARD_FLOOR, "full": FULL_FLOOR}
# The faster form of the 30-day figure for the range, as measured at 1M ideas: counting each
# day's window for a day or two (1.9 s against 3.3 s for one day), sweeping for a long
# range (30 s against 124 s for 90 days). The roll-up switches at the same length.
WINDOW_FORMS = {"expand": WINDOW_EXPAND, "sweep": WINDOW_SWEEP}


def window_form(days: "DayRange") -> str:
    return "expand" if len(days.days) < SHORT_RANGE_DAYS else "sweep"


def statement(kind: str, days: "DayRange") -> str:
    return STATEMENTS[kind].replace("{window}", WINDOW_FORMS[window_form(days)])


@dataclass(frozen=True)
class DayRange:
    first: date
    last: date

    def params(self) -> dict:
        def midnight(day: date) -> datetime:
            return datetime.combine(day, time.min, tzinfo=LONDON)

        return {
            "first": self.first,
            "last": self.last,
            "lo": midnight(self.first),
            "hi": midnight(self.last + timedelta(days=1)),
            "lo30": midnight(self.first - timedelta(days=29)),
        }

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def _params(days: DayRange) -> dict:
    # Every organisation, spelt out so that the (organisation, created_at) indexes serve.
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(id ORDER BY id) FROM organisations_organisation")
        orgs = cursor.fetchone()[0] or []
    return days.params() | {"orgs": orgs}


# One large statement may sort in memory what the server's default (4 MB) would spill to disk.
FLOOR_WORK_MEM = "64MB"


def _settings(cursor, jit: bool) -> None:
    """For this statement only. JIT compilation can cost more than it saves here (about
    0.3 s per statement), so the floor is timed with it on and off."""
    cursor.execute(f"SET LOCAL jit = {'on' if jit else 'off'}")
    cursor.execute(f"SET LOCAL work_mem = '{FLOOR_WORK_MEM}'")


def run(kind: str, days: DayRange, *, jit: bool = True) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cursor:
        _settings(cursor, jit)
        cursor.execute(statement(kind, days), _params(days))
        return cursor.fetchall()


def explain(kind: str, days: DayRange, *, jit: bool = True) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        _settings(cursor, jit)
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement(kind, days), _params(days))
        return "\n".join(row[0] for row in cursor.fetchall())


def full_floor_facts(days: DayRange) -> dict:
    """The full floor's rows keyed like the roll-up's: (org, day, scope_key)."""
    staff = list(STAFF_FIELDS.values())
    columns = ["org", "day", "level", "site_id", "ward_id", *ADDITIVE, *staff]
    columns += ["contributors", "response_hours_median", "contributors_30d"]
    facts = {}
    for row in run("full", days, jit=False):
        values = dict(zip(columns, row, strict=True))
        scope = {
            "organisation": "organisation",
            "site": f"site:{values['site_id']}",
            "ward": f"ward:{values['ward_id']}",
        }[values["level"]]
        figures = {field: values[field] or 0 for field in [*ADDITIVE, *staff]}
        figures["contributors"] = values["contributors"]
        figures["contributors_30d"] = values["contributors_30d"]
        median = values["response_hours_median"]
        figures["response_hours_median"] = None if median is None else round(median, 2)
        facts[(values["org"], values["day"], scope)] = figures
    return facts
