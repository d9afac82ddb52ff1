"""Synthetic data, generated in the database with INSERT ... SELECT generate_series.

Nothing goes through the ORM: Python only sends statements. The structure (organisations,
sites, wards, members, categories) is made once; ideas (with their supports, comments and
events) and pulse check-ins can then grow in steps, so that one database is measured at
10 thousand, 100 thousand and 1 million ideas with the same organisations and people.

What is made, per idea: a member of the organisation as its submitter (named, or
anonymous with a 64-hex token derived from the member, so that distinct people are real);
the member's home ward (3% have no ward); a kind; a time spread evenly over the last
`days` days; 60% get a first response after an exponential wait (mean three days) and
status events along the workflow; an exponential number of supports (mean 2) and comments
(mean 1). Pulse check-ins: about pulses / (wards x days) per ward-day, varied per
ward-day, scores 1 to 5, one per day token.
"""

import json
import time
from dataclasses import asdict, dataclass
from datetime import datetime

from django.db import connection, transaction

from ideas.models import DEFAULT_CATEGORIES
from organisations.models import Profession

SLUG_PREFIX = "bench-"
EMAIL_DOMAIN = "bench.nhs.uk"
ANONYMOUS_SHARE = 0.3
NO_WARD_SHARE = 0.03
RESPONDED_SHARE = 0.6
IDEA_BATCH = 250_000
PULSE_DAYS_PER_BATCH = 10


@dataclass(frozen=True)
class Structure:
    orgs: int
    wards: int
    sites_per_org: int
    members_per_ward: int
    days: int


def _log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _run(sql: str, params=None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _value(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _tune_session() -> None:
    # Bulk-load settings for this session only; the server's configuration is untouched.
    _run("SET synchronous_commit = off")
    _run("SET maintenance_work_mem = '1GB'")
    _run("SET work_mem = '256MB'")


# State -------------------------------------------------------------------------------


def _ensure_state_table() -> None:
    _run("CREATE TABLE IF NOT EXISTS bench_state (key text PRIMARY KEY, value jsonb NOT NULL)")


def get_state() -> dict:
    _ensure_state_table()
    with connection.cursor() as cursor:
        cursor.execute("SELECT key, value FROM bench_state")
        return {
            key: json.loads(value) if isinstance(value, str) else value for key, value in cursor
        }


def _set_state(key: str, value) -> None:
    _run(
        "INSERT INTO bench_state (key, value) VALUES (%s, %s::jsonb) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        [key, json.dumps(value)],
    )


def anchor() -> datetime:
    """The moment 'now' stood for when the data were made: ideas lie before it."""
    return datetime.fromisoformat(get_state()["anchor"])


# Structure ---------------------------------------------------------------------------


def ensure_structure(structure: Structure) -> None:
    state = get_state()
    if "structure" in state:
        if state["structure"] != asdict(structure):
            raise SystemExit(
                f"The database holds another structure ({state['structure']}); "
                "run with --fresh to start again."
            )
        return
    if structure.wards < structure.orgs * structure.sites_per_org:
        raise SystemExit("Need at least one ward per site: raise --wards or lower --orgs.")
    with transaction.atomic():
        _make_structure(structure)


def _make_structure(structure: Structure) -> None:
    _tune_session()
    started = time.perf_counter()
    params = asdict(structure) | {
        "prefix": SLUG_PREFIX,
        "domain": EMAIL_DOMAIN,
        "professions": [*Profession.values, ""],
        "categories": DEFAULT_CATEGORIES,
    }
    _run(
        """
        INSERT INTO organisations_organisation
            (name, slug, ods_code, suppression_threshold, response_target_days,
             urgent_response_target_days, speak_up_guardian_name, speak_up_guardian_contact,
             incident_reporting_url, pulse_enabled, created_at)
        SELECT 'Bench NHS Trust ' || n, %(prefix)s || n, '', 11, 7, 2, '', '', '', true, now()
        FROM generate_series(1, %(orgs)s) n
        """,
        params,
    )
    _run(
        """
        INSERT INTO organisations_site (name, organisation_id)
        SELECT 'Site ' || s, o.id
        FROM organisations_organisation o CROSS JOIN generate_series(1, %(sites_per_org)s) s
        WHERE o.slug LIKE %(prefix)s || '%%'
        """,
        params,
    )
    # Ward k belongs to organisation k mod orgs, on that organisation's site (k / orgs) mod
    # sites: every organisation gets wards / orgs wards spread over its sites.
    _run(
        """
        WITH o AS (
            SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS n
            FROM organisations_organisation WHERE slug LIKE %(prefix)s || '%%'
        ), s AS (
            SELECT id, organisation_id,
                   (row_number() OVER (PARTITION BY organisation_id ORDER BY id) - 1)::int AS n
            FROM organisations_site
        )
        INSERT INTO organisations_ward (name, is_active, organisation_id, site_id)
        SELECT 'Ward ' || k, true, o.id, s.id
        FROM generate_series(0, %(wards)s - 1) k
        JOIN o ON o.n = k %% %(orgs)s
        JOIN s ON s.organisation_id = o.id AND s.n = (k / %(orgs)s) %% %(sites_per_org)s
        """,
        params,
    )
    _run(
        """
        INSERT INTO users_user (password, is_superuser, email, name, is_staff, is_active,
                                date_joined, email_notifications, session_epoch)
        SELECT '!', false, 'member-' || n || '@' || %(domain)s, 'Member ' || n, false, true,
               now(), false, 0
        FROM generate_series(0, %(wards)s * %(members_per_ward)s - 1) n
        """,
        params,
    )
    _run(
        """
        WITH w AS (
            SELECT id, organisation_id, (row_number() OVER (ORDER BY id) - 1)::int AS n
            FROM organisations_ward
        ), p AS (SELECT %(professions)s::text[] AS names)
        INSERT INTO organisations_membership
            (role, profession, is_active, created_at, user_id, organisation_id, home_ward_id)
        SELECT 'staff', p.names[1 + g.k %% cardinality(p.names)], true, now(), u.id,
               w.organisation_id, w.id
        FROM generate_series(0, %(wards)s * %(members_per_ward)s - 1) g(k)
        CROSS JOIN p
        JOIN users_user u ON u.email = 'member-' || g.k || '@' || %(domain)s
        JOIN w ON w.n = g.k %% %(wards)s
        """,
        params,
    )
    # One organisation admin per organisation, to sign in to the dashboard.
    _run(
        """
        INSERT INTO users_user (password, is_superuser, email, name, is_staff, is_active,
                                date_joined, email_notifications, session_epoch)
        SELECT '!', false, 'admin-' || o.slug || '@' || %(domain)s, 'Admin ' || o.name, false,
               true, now(), false, 0
        FROM organisations_organisation o WHERE o.slug LIKE %(prefix)s || '%%'
        """,
        params,
    )
    _run(
        """
        INSERT INTO organisations_membership
            (role, profession, is_active, created_at, user_id, organisation_id, home_ward_id)
        SELECT 'org_admin', 'general_management', true, now(), u.id, o.id, NULL
        FROM organisations_organisation o
        JOIN users_user u ON u.email = 'admin-' || o.slug || '@' || %(domain)s
        WHERE o.slug LIKE %(prefix)s || '%%'
        """,
        params,
    )
    _run(
        """
        INSERT INTO ideas_category (name, position, is_active, organisation_id)
        SELECT c.name, c.position - 1, true, o.id
        FROM organisations_organisation o
        CROSS JOIN unnest(%(categories)s::text[]) WITH ORDINALITY AS c(name, position)
        WHERE o.slug LIKE %(prefix)s || '%%'
        """,
        params,
    )
    _set_state("structure", asdict(structure))
    _set_state("anchor", _value("SELECT now()").isoformat())
    _set_state("ideas", 0)
    _set_state("pulses", 0)
    _log(
        f"structure: {structure.orgs} organisations, {structure.wards} wards, "
        f"{structure.wards * structure.members_per_ward} members "
        f"({time.perf_counter() - started:.1f} s)"
    )


# Ideas and what hangs off them ---------------------------------------------------------


def _member_tables() -> None:
    """Session-local lookups: members of each organisation by index, organisations by index."""
    _run("DROP TABLE IF EXISTS bench_m, bench_o")
    _run(
        """
        CREATE TEMP TABLE bench_m AS
        SELECT organisation_id AS org,
               (row_number() OVER (PARTITION BY organisation_id ORDER BY id) - 1)::int AS idx,
               user_id, home_ward_id AS ward_id
        FROM organisations_membership WHERE role = 'staff'
        """
    )
    _run("CREATE INDEX ON bench_m (org, idx)")
    _run(
        """
        CREATE TEMP TABLE bench_o AS
        SELECT o.id AS org, (row_number() OVER (ORDER BY o.id) - 1)::int AS n,
               (SELECT count(*) FROM bench_m WHERE bench_m.org = o.id)::int AS members,
               (SELECT array_agg(c.id ORDER BY c.id) FROM ideas_category c
                 WHERE c.organisation_id = o.id) AS categories,
               (SELECT m.user_id FROM organisations_membership m
                 WHERE m.organisation_id = o.id AND m.role = 'org_admin' LIMIT 1) AS admin_id
        FROM organisations_organisation o WHERE o.slug LIKE %s || '%%'
        """,
        [SLUG_PREFIX],
    )
    _run("ANALYZE bench_m")
    _run("ANALYZE bench_o")


def _idea_batch(n: int, first: int, days: int, at: datetime) -> None:
    params = {
        "n": n,
        "first": first,
        "days": days,
        "anchor": at,
        "anon": ANONYMOUS_SHARE,
        "no_ward": NO_WARD_SHARE,
        "responded": RESPONDED_SHARE,
    }
    # The random draws are materialised first, so that each is taken once per idea.
    _run("DROP TABLE IF EXISTS bench_r, bench_i")
    _run(
        """
        CREATE TEMP TABLE bench_r AS
        SELECT g, floor(random() * (SELECT count(*) FROM bench_o))::int AS o,
               random() AS member, random() AS no_ward, random() AS anon, random() AS t,
               random() AS kind, random() AS category, random() AS responded, random() AS wait,
               random() AS status, random() AS gap, random() AS supports, random() AS comments,
               random() AS base
        FROM generate_series(%(first)s, %(first)s + %(n)s - 1) g
        """,
        params,
    )
    _run(
        """
        CREATE TEMP TABLE bench_i AS
        SELECT x.*,
               CASE WHEN x.first_response_at IS NULL THEN 'submitted'
                    WHEN x.status_draw < 0.25 THEN 'under_review'
                    WHEN x.status_draw < 0.5 THEN 'in_progress'
                    WHEN x.status_draw < 0.75 THEN 'implemented'
                    ELSE 'not_taken_forward' END AS status,
               (%(anchor)s::timestamptz - x.first_response_at) / 3 * x.gap AS step
        FROM (
            SELECT gen_random_uuid() AS id, r.g, o.org, o.admin_id, m.user_id,
                   CASE WHEN r.no_ward < %(no_ward)s THEN NULL ELSE m.ward_id END AS ward_id,
                   r.anon < %(anon)s AS is_anonymous, c.created_at,
                   CASE WHEN r.kind < 0.6 THEN 'idea' WHEN r.kind < 0.85 THEN 'concern'
                        ELSE 'praise' END AS kind,
                   o.categories[1 + floor(r.category * cardinality(o.categories))::int]
                       AS category_id,
                   CASE WHEN r.responded < %(responded)s
                         AND c.created_at + (-ln(1 - r.wait) * 72) * interval '1 hour'
                             < %(anchor)s::timestamptz
                        THEN c.created_at + (-ln(1 - r.wait) * 72) * interval '1 hour'
                   END AS first_response_at,
                   r.status AS status_draw, r.gap,
                   least(floor(-ln(1 - r.supports) * 2), 20)::int AS supports,
                   least(floor(-ln(1 - r.comments)), 10)::int AS comments,
                   floor(r.base * o.members)::int AS base, o.members
            FROM bench_r r
            JOIN bench_o o ON o.n = r.o
            JOIN bench_m m ON m.org = o.org AND m.idx = floor(r.member * o.members)::int
            CROSS JOIN LATERAL (
                SELECT %(anchor)s::timestamptz - r.t * %(days)s * interval '1 day' AS created_at
            ) c
        ) x
        """,
        params,
    )
    _run(
        """
        INSERT INTO ideas_idea
            (id, kind, title, description, status, is_anonymous, submitter_token,
             support_count, comment_count, created_at, status_changed_at, first_response_at,
             author_id, category_id, organisation_id, ward_id, merged_into_id, team_id,
             is_urgent)
        SELECT id, kind, 'Synthetic ' || kind || ' ' || g,
               'Made by the roll-up benchmark: a short description of the ' || kind || '.',
               status, is_anonymous,
               CASE WHEN is_anonymous
                    THEN encode(sha256(convert_to('anonymous:' || user_id, 'UTF8')), 'hex')
                    ELSE '' END,
               supports, comments, created_at,
               first_response_at + step * CASE status WHEN 'in_progress' THEN 1
                   WHEN 'implemented' THEN 2 WHEN 'not_taken_forward' THEN 1 ELSE 0 END,
               first_response_at,
               CASE WHEN is_anonymous THEN NULL ELSE user_id END,
               category_id, org, ward_id, NULL, NULL, false
        FROM bench_i
        """,
        params,
    )
    _run(
        """
        INSERT INTO ideas_support (created_at, idea_id, organisation_id, user_id)
        SELECT i.created_at + random() * least(%(anchor)s::timestamptz - i.created_at,
                                               interval '14 days'),
               i.id, i.org, m.user_id
        FROM bench_i i
        CROSS JOIN LATERAL generate_series(1, i.supports) j
        JOIN bench_m m ON m.org = i.org AND m.idx = (i.base + j) %% i.members
        """,
        params,
    )
    _run(
        """
        INSERT INTO ideas_comment
            (id, by_anonymous_submitter, body, created_at, author_id, organisation_id, idea_id,
             position)
        SELECT gen_random_uuid(), false, 'A synthetic comment.',
               i.created_at + random() * least(%(anchor)s::timestamptz - i.created_at,
                                               interval '14 days'),
               m.user_id, i.org, i.id, j - 1
        FROM bench_i i
        CROSS JOIN LATERAL generate_series(1, i.comments) j
        JOIN bench_m m ON m.org = i.org AND m.idx = (i.base + 37 * j) %% i.members
        """,
        params,
    )
    # The submission event of every idea, then the status events along its path.
    _run(
        """
        INSERT INTO ideas_ideaevent
            (type, from_status, to_status, message, created_at, actor_id, idea_id,
             organisation_id)
        SELECT 'submitted', '', 'submitted', '', created_at,
               CASE WHEN is_anonymous THEN NULL ELSE user_id END, id, org
        FROM bench_i
        """
    )
    _run(
        """
        INSERT INTO ideas_ideaevent
            (type, from_status, to_status, message, created_at, actor_id, idea_id,
             organisation_id)
        SELECT 'status', p.from_status, p.to_status, '', i.first_response_at + i.step * p.step,
               i.admin_id, i.id, i.org
        FROM bench_i i
        JOIN (VALUES
            ('under_review', 0, 'submitted', 'under_review'),
            ('in_progress', 0, 'submitted', 'under_review'),
            ('in_progress', 1, 'under_review', 'in_progress'),
            ('implemented', 0, 'submitted', 'under_review'),
            ('implemented', 1, 'under_review', 'in_progress'),
            ('implemented', 2, 'in_progress', 'implemented'),
            ('not_taken_forward', 0, 'submitted', 'under_review'),
            ('not_taken_forward', 1, 'under_review', 'not_taken_forward')
        ) AS p(final, step, from_status, to_status) ON p.final = i.status
        """
    )
    _run("DROP TABLE bench_r, bench_i")


def grow_ideas(target: int) -> float:
    """Add ideas until there are `target`; returns the seconds taken."""
    state = get_state()
    have = state["ideas"]
    if target <= have:
        return 0.0
    _tune_session()
    _member_tables()
    started = time.perf_counter()
    days = state["structure"]["days"]
    at = datetime.fromisoformat(state["anchor"])
    made = have
    while made < target:
        n = min(IDEA_BATCH, target - made)
        _idea_batch(n, made + 1, days, at)
        made += n
        _set_state("ideas", made)
        _log(f"ideas: {made:,} of {target:,} ({time.perf_counter() - started:.0f} s)")
    return time.perf_counter() - started


# Pulse check-ins ---------------------------------------------------------------------


def grow_pulses(target: int) -> float:
    """Add check-ins until there are about `target`; returns the seconds taken.

    Ward w on day d has floor(rate * f + u) check-ins, f in [0.5, 1.5) and u in [0, 1)
    fixed per ward-day by a hash: the count only grows with the rate, so a larger scale
    adds the check-ins numbered from the old count to the new one.
    """
    state = get_state()
    structure = state["structure"]
    ward_days = structure["wards"] * structure["days"]
    old_rate = state["pulses"] / ward_days
    new_rate = target / ward_days
    if new_rate <= old_rate:
        return 0.0
    _tune_session()
    started = time.perf_counter()
    last_day = _value(
        "SELECT (%s::timestamptz AT TIME ZONE 'Europe/London')::date", [state["anchor"]]
    )
    days = structure["days"]
    for offset in range(0, days, PULSE_DAYS_PER_BATCH):
        _run(
            """
            WITH wd AS (
                SELECT w.id AS ward_id, w.organisation_id AS org, d::date AS day,
                       0.5 + (abs(hashtext(w.id || ':' || d::date)) %% 10000) / 10000.0 AS f,
                       (abs(hashtext('u' || w.id || ':' || d::date)) %% 10000) / 10000.0 AS u
                FROM organisations_ward w
                CROSS JOIN generate_series(
                    %(last)s::date - %(hi)s, %(last)s::date - %(lo)s, interval '1 day') d
            )
            INSERT INTO ideas_pulsecheckin (day, day_token, score, tags, organisation_id, ward_id)
            SELECT wd.day,
                   encode(sha256(convert_to('pulse:' || wd.ward_id || ':' || wd.day || ':' || n,
                                            'UTF8')), 'hex'),
                   1 + floor(random() * 5)::int,
                   CASE WHEN random() < 0.3 THEN '["workload"]' ELSE '[]' END::jsonb,
                   wd.org,
                   CASE WHEN n %% 50 = 49 THEN NULL ELSE wd.ward_id END
            FROM wd
            CROSS JOIN LATERAL generate_series(
                floor(%(old)s * wd.f + wd.u)::int, floor(%(new)s * wd.f + wd.u)::int - 1) n
            """,
            {
                "last": last_day,
                "lo": offset,
                "hi": min(offset + PULSE_DAYS_PER_BATCH, days) - 1,
                "old": old_rate,
                "new": new_rate,
            },
        )
        _log(
            f"pulse check-ins: days {offset + 1}-{min(offset + PULSE_DAYS_PER_BATCH, days)} "
            f"of {days} ({time.perf_counter() - started:.0f} s)"
        )
    _set_state("pulses", target)
    return time.perf_counter() - started


def vacuum_analyze() -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (
            "ideas_idea",
            "ideas_support",
            "ideas_comment",
            "ideas_ideaevent",
            "ideas_pulsecheckin",
            "organisations_membership",
            "organisations_ward",
            "users_user",
        ):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    return time.perf_counter() - started


def counts() -> dict[str, int]:
    tables = {
        "organisations": "organisations_organisation",
        "wards": "organisations_ward",
        "members": "organisations_membership",
        "ideas": "ideas_idea",
        "supports": "ideas_support",
        "comments": "ideas_comment",
        "events": "ideas_ideaevent",
        "pulses": "ideas_pulsecheckin",
    }
    # Table names are the constants above.
    return {name: _value(f"SELECT count(*) FROM {table}") for name, table in tables.items()}  # noqa: S608


def database_size() -> int:
    return _value("SELECT pg_database_size(current_database())")
