"""After the soak: the database against what the clients were answered.

Every write the soak makes carries its run's mark (an idea's title, a comment's body) or
is keyed by a soak member (a support, a pulse check-in's day token), in organisations
made for the run. For each write, what the client recorded decides what must be there:
- acknowledged: present exactly once, as sent;
- refused (any other answer): absent, as the failed request's transaction rolled back;
- in doubt (no answer came): present at most once. The clients finish the request under
  way at the deadline, so only a request that never got an answer is in doubt; the
  summary counts them, and "every request answered" fails when there are any.
Rows the clients did not ask for are strays, and fail the checks. Read across every
organisation (`cross_organisation`): row-level security hides nothing from the checks.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count

from ideas.anonymity import pulse_token
from ideas.models import Comment, Idea, IdeaEvent, PulseCheckIn, Support
from improvewell.rls import cross_organisation

from .cast import Cast
from .driver import ACKED, IN_DOUBT, Record


@dataclass
class Check:
    name: str
    passed: bool
    detail: str


def _check(name: str, problems: list[str], counted: str) -> Check:
    shown = "; ".join(problems[:5])
    if len(problems) > 5:
        shown += f" (and {len(problems) - 5} more)"
    return Check(name, not problems, shown or counted)


def _expect(states: list[str], found: int) -> str | None:
    """What is wrong with `found` rows for a write answered `states`, or None."""
    if ACKED in states:
        return None if found == 1 else f"acknowledged, {found} rows"
    if IN_DOUBT in states:
        return None if found <= 1 else f"in doubt, {found} rows"
    return None if found == 0 else f"refused, {found} rows"


def check_answers(records: list[Record]) -> list[Check]:
    answers = [a for r in records for a in r.answers]
    server = [a for a in answers if a.status is not None and a.status >= 500]
    client = [a for a in answers if a.status is not None and a.status < 500 and not a.ok]
    silent = [a for a in answers if a.status is None]
    return [
        _check("no 5xx", [f"{a.kind}: {a.detail}" for a in server], f"{len(answers)} answers"),
        _check(
            "no unexpected answers (4xx, wrong page)",
            [f"{a.kind}: {a.detail}" for a in client],
            "every answer was the expected one",
        ),
        _check("every request answered", [f"{a.kind}: {a.detail}" for a in silent], "none lost"),
    ]


def check_ideas(cast: Cast, records: list[Record]) -> list[Check]:
    rows = Idea.objects.filter(
        organisation_id__in=cast.organisation_ids, title__startswith=f"Soak {cast.run} "
    ).values_list("pk", "title", "is_anonymous", "author_id")
    by_title = defaultdict(list)
    for pk, title, anonymous, author in rows:
        by_title[title].append((str(pk), anonymous, author))
    events = Counter(
        str(pk)
        for pk in IdeaEvent.objects.filter(
            organisation_id__in=cast.organisation_ids, type=IdeaEvent.Type.SUBMITTED
        ).values_list("idea_id", flat=True)
    )
    problems, asked, acked = [], set(), 0
    for record in records:
        for sid, share in record.shares.items():
            asked.add(share.title)
            found = by_title.get(share.title, [])
            acked += ACKED in share.states
            wrong = _expect(share.states, len(found))
            if wrong is None and found:
                pk, anonymous, author = found[0]
                named = None if share.anonymous else record.member.user_id
                if (pk, anonymous, author) != (sid, share.anonymous, named):
                    wrong = f"stored as {pk} (anonymous {anonymous}, author {author})"
                elif events[pk] != 1:
                    wrong = f"{events[pk]} submitted events"
            if wrong:
                problems.append(f"{share.title} {share.states}: {wrong}")
    problems += [f"stray idea {title!r}" for title in by_title.keys() - asked]
    again = sum(s.states.count(ACKED) > 1 for record in records for s in record.shares.values())
    return [
        _check(
            "ideas: each acknowledged submission once, under its submission id",
            problems,
            f"{acked} submissions acknowledged ({again} of them more than once), {len(rows)} ideas",
        )
    ]


def _support_wanted(record: Record) -> dict[str, bool | None]:
    """The last acknowledged support or withdrawal per idea; None once one was in doubt."""
    wanted: dict[str, bool | None] = {}
    for idea, want, state in record.supports:
        if state == IN_DOUBT or wanted.get(idea, False) is None:
            wanted[idea] = None
        elif state == ACKED:
            wanted[idea] = want
        else:
            wanted.setdefault(idea, False)
    return wanted


def check_supports(cast: Cast, records: list[Record]) -> list[Check]:
    users = [r.member.user_id for r in records]
    rows = list(
        Support.objects.filter(
            organisation_id__in=cast.organisation_ids, user_id__in=users
        ).values_list("user_id", "idea_id")
    )
    have = {(user, str(idea)) for user, idea in rows}
    problems = [] if len(have) == len(rows) else [f"{len(rows) - len(have)} duplicate rows"]
    expected = set()
    for record in records:
        for idea, want in _support_wanted(record).items():
            key = (record.member.user_id, idea)
            expected.add(key)
            if want is not None and want != (key in have):
                problems.append(f"member {record.member.index} idea {idea}: wanted {want}")
    problems += [f"stray support {key}" for key in have - expected]
    counts = _counter_mismatches(cast, "support_count", Support)
    return [
        _check(
            "supports: each person's last acknowledged choice, one row at most",
            problems,
            f"{len(rows)} supports",
        ),
        _check("ideas' support counts equal their supports", counts, "all equal"),
    ]


def _counter_mismatches(cast: Cast, counter: str, model) -> list[str]:
    actual = dict(
        model.objects.filter(organisation_id__in=cast.organisation_ids)
        .values_list("idea_id")
        .annotate(n=Count("pk"))
    )
    return [
        f"idea {pk}: {counter} {value}, {actual.get(pk, 0)} rows"
        for pk, value in Idea.objects.filter(organisation_id__in=cast.organisation_ids).values_list(
            "pk", counter
        )
        if value != actual.get(pk, 0)
    ]


def check_comments(cast: Cast, records: list[Record]) -> list[Check]:
    rows = Comment.objects.filter(
        organisation_id__in=cast.organisation_ids, body__startswith=f"Soak {cast.run} "
    ).values_list("body", "idea_id")
    found = defaultdict(list)
    for body, idea in rows:
        found[body].append(str(idea))
    problems, asked, acked = [], set(), 0
    for record in records:
        for idea, body, state in record.comments:
            asked.add(body)
            acked += state == ACKED
            wrong = _expect([state], len(found[body]))
            if wrong is None and found[body] and found[body] != [idea]:
                wrong = f"on idea {found[body]}"
            if wrong:
                problems.append(f"{body}: {wrong}")
    problems += [f"stray comment {body!r}" for body in found.keys() - asked]
    positions = []
    threads = defaultdict(list)
    for idea, position in Comment.objects.filter(
        organisation_id__in=cast.organisation_ids
    ).values_list("idea_id", "position"):
        threads[idea].append(position)
    for idea, seen in threads.items():
        if sorted(seen) != list(range(len(seen))):
            positions.append(f"idea {idea}: positions {sorted(seen)}")
    counts = _counter_mismatches(cast, "comment_count", Comment)
    return [
        _check(
            "comments: each acknowledged comment once, on its idea",
            problems,
            f"{acked} acknowledged, {len(rows)} comments",
        ),
        _check("ideas' comment counts equal their comments", counts, "all equal"),
        _check("comment positions 0..n-1 in each thread", positions, f"{len(threads)} threads"),
    ]


def _pulse_wanted(record: Record) -> dict:
    """Per day: the score the last acknowledged check-in left, 0 for none, None if unknown
    (a check-in in doubt, or one sent before midnight and answered after)."""
    wanted = {}
    for score, sent_on, answered_on, state in record.pulses:
        if state == IN_DOUBT or sent_on != answered_on:
            wanted[sent_on] = wanted[answered_on] = None
        elif wanted.get(sent_on, 0) is not None:
            wanted[sent_on] = score if state == ACKED else wanted.get(sent_on, 0)
    return wanted


def check_pulses(cast: Cast, records: list[Record]) -> list[Check]:
    rows = dict(
        PulseCheckIn.objects.filter(organisation_id__in=cast.organisation_ids).values_list(
            "day_token", "score"
        )
    )
    problems, expected = [], set()
    for record in records:
        member = record.member
        for day, score in _pulse_wanted(record).items():
            token = pulse_token(
                user_id=member.user_id, organisation_id=member.organisation_id, day=day
            )
            expected.add(token)
            if score is not None and rows.get(token, 0) != score:
                stored = rows.get(token)
                problems.append(f"member {member.index} on {day}: {score} wanted, {stored}")
    problems += [f"stray check-in {token[:12]}" for token in rows.keys() - expected]
    acked = sum(state == ACKED for r in records for *_rest, state in r.pulses)
    return [
        _check(
            "pulse check-ins: one a person a day, the last acknowledged score",
            problems,
            f"{acked} acknowledged, {len(rows)} stored",
        )
    ]


def verify(cast: Cast, records: list[Record]) -> list[Check]:
    with cross_organisation():
        return [
            *check_answers(records),
            *check_ideas(cast, records),
            *check_supports(cast, records),
            *check_comments(cast, records),
            *check_pulses(cast, records),
        ]
