"""How fresh an organisation's shared pages are: a version that every write moves.

Page parts that many members see alike (the board's list, an idea's page, the inbox, the
dashboard overview, the API's first page of ideas, the filter forms, the header, each
request's membership) are kept under their organisation's content version. Nothing
has to remember to invalidate them: the database backend (improvewell.postgresql) moves
the version for every INSERT, UPDATE or DELETE the app sends, through the ORM, a
queryset's update() or raw SQL alike:

- a write inside one organisation's scope moves that organisation's version;
- a write across organisations, or outside any (the platform admin, sign-up), or to a
  table every organisation shows (a person's name), moves the version every key also
  carries (`ALL`).

A write to the organisation's set-up (SETUP_TABLES: its settings, places, categories,
teams, memberships and routing rules) also moves its set-up version, under which what
is read from those tables alone is kept (each request's membership, the routing rules):
sharing or supporting an idea leaves them be. A write to its notifications moves only
its notifications version, under which each member's unread count is kept (sealed:
ideas.anonymity).

The version moves when each such statement runs, so that the rest of the transaction
(and a test, which never commits) reads afresh, and again after the commit, so that a
page rendered meanwhile from the old rows, and cached under the first new version, is
never served once the write is visible. A rollback leaves at most an early move behind,
which only costs a render.

Writes to the tables in `UNSHOWN_TABLES` move nothing: no cached page shows them
(sessions, notifications, audit, tokens, check-ins, job bookkeeping). A table a cached
page shows must never be added there.

The versions live in the "pages" cache (Redis, with a short timeout). If it is down or
hangs, pages are rendered as usual and nothing is kept (`_Breaker`); moves missed
meanwhile are made when it answers again, and kept pages expire within `PAGE_SECONDS`
whatever happens.
"""

import hashlib
import json
import logging
import re
import secrets
import time
from contextlib import suppress
from functools import cache as once
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from . import rls
from .cache import ProcessCopies

logger = logging.getLogger(__name__)

ALL = "all"
PAGE_SECONDS = 10 * 60
UNSHOWN_TABLES = frozenset(
    {
        "users_session",
        "django_admin_log",
        "usersessions_usersession",
        "account_emailconfirmation",
        "socialaccount_socialtoken",
        "django_celery_beat_periodictasks",
        "django_celery_beat_periodictask",
        "improvewell_scheduledrun",
        "organisations_importjob",
        "ideas_pulsecheckin",
        "teams_auditevent",
        "dashboards_rolluprun",
        "dashboards_digestsent",
        "api_personalaccesstoken",
        "api_idempotencyrecord",
        "webhooks_webhookdelivery",
        "webhooks_webhookattempt",
    }
)
# An organisation's set-up: its settings, places, categories, teams, who belongs, the
# routing rules and the webhook endpoints. What is read from these alone (each request's
# membership, the routing rules, the events the endpoints listen to) is kept under the
# organisation's set-up version, which only a write to them moves, so that sharing or
# supporting an idea does not throw it away.
SETUP_TABLES = frozenset(
    {
        "organisations_organisation",
        "organisations_membership",
        "organisations_site",
        "organisations_ward",
        "ideas_category",
        "teams_team",
        "teams_team_members",
        "triage_routingrule",
        "triage_routingrule_wards",
        "triage_routingrule_sites",
        "triage_routingrule_categories",
        "webhooks_webhookendpoint",
    }
)
# A member's notifications: no kept page shows them, but each member's unread count is
# kept under the organisation's notifications version, which only a write to them moves.
NOTIFICATION_TABLES = frozenset({"ideas_notification"})
# Rows every organisation's pages show (people's names), or that each request's kept
# membership answers for (whether its person has two-factor authentication): a write to
# them, in any scope, moves the version of everything.
EVERY_ORGANISATIONS_TABLES = frozenset({"users_user", "mfa_authenticator"})
WRITE = re.compile(
    r'\s*(?:(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?|WITH\b|MERGE\b)', re.IGNORECASE
)
# Signing in stamps the person's last sign-in, which no page shows; and an authenticator
# used to sign in is stamped as used (added or removed, it moves everything, above).
STAMPS_ON_SIGN_IN = re.compile(
    r'\s*UPDATE\s+(?:"users_user"\s+SET\s+"last_login"\s*=\s*(%s|NULL)\s+WHERE|"mfa_authenticator"\s)',
    re.IGNORECASE,
)


def _key(owner) -> str:
    return f"content-version:{owner}"


def setup(organisation_id) -> str:
    """The owner whose version only writes to the organisation's set-up move
    (SETUP_TABLES)."""
    return f"setup-{organisation_id}"


def notifications(organisation_id) -> str:
    """The owner whose version only writes to the organisation's notifications move."""
    return f"notifications-{organisation_id}"


def unread_key(organisation_id, user_id) -> str:
    """Where a member's unread count is kept (sealed: ideas.selectors)."""
    return f"unread:{organisation_id}:{user_id}"


def written_owners(sql) -> list[str]:
    """Whose versions a statement moves: an organisation's (and its set-up's, for the
    tables in SETUP_TABLES), its notifications' alone (NOTIFICATION_TABLES), all three for
    a statement whose table is not plain to see, everyone's (ALL), or none (a read, or a
    write to a table nothing kept shows)."""
    if not isinstance(sql, str):
        return []
    match = WRITE.match(sql)
    if match is None or match.group(1) in UNSHOWN_TABLES or STAMPS_ON_SIGN_IN.match(sql):
        return []
    if match.group(1) in EVERY_ORGANISATIONS_TABLES:
        return [ALL]
    organisation, _ = rls.wanted_settings()
    if not organisation:
        return [ALL]
    if match.group(1) is None:  # WITH or MERGE: which table is not plain to see
        return [organisation, setup(organisation), notifications(organisation)]
    if match.group(1) in NOTIFICATION_TABLES:
        return [notifications(organisation)]
    if match.group(1) in SETUP_TABLES:
        return [organisation, setup(organisation)]
    return [organisation]


def note_write(execute, sql, params, many, context):
    """Execute wrapper: a write moves its organisation's version (see the module)."""
    result = execute(sql, params, many, context)
    owners = written_owners(sql)
    if owners:
        connection = context["connection"]
        move(owners)
        connection.versions_seen = {}
        if not connection.get_autocommit():
            connection.content_written.update(owners)
    return result


def after_commit(connection) -> None:
    """The backend calls this after each commit (and drops the set after a rollback)."""
    connection.versions_seen = {}
    if connection.content_written:
        owners, connection.content_written = connection.content_written, set()
        move(owners)


class CacheDown(Exception):
    """The cache failed lately: this process leaves it alone for a while."""


class _Breaker:
    """Ask the cache only while it answers. After a failure (a refused connection, or a
    Redis that hangs until the short timeout of the "pages" cache) the process leaves it
    alone for `PAUSE` seconds, so that a request pays for one timeout, not one per
    statement. Moves missed meanwhile are made when the cache answers again, with a move
    of everything, since another process may have missed some too."""

    PAUSE = 5.0

    def __init__(self):
        self.down_until = 0.0
        self.missed: set = set()

    def call(self, work, *, owners=()):
        if time.monotonic() < self.down_until:
            self.missed.update(owners)
            raise CacheDown
        try:
            pages = caches["pages"]
            if self.missed:
                missed, self.missed = self.missed | {ALL}, set()
                owners = {*owners, *missed}
                _incr(pages, missed)
            return work(pages)
        except CacheDown:
            raise
        except Exception as error:
            self.down_until = time.monotonic() + self.PAUSE
            self.missed.update(owners)
            logger.warning("Page cache unavailable (%s): pages are rendered afresh", error)
            raise CacheDown from error


breaker = _Breaker()


def _start() -> int:
    # A version the cache has lost starts again from a random number (see `current`).
    return secrets.randbelow(2**62)


def _incr(pages, owners) -> None:
    keys = [_key(owner) for owner in owners]
    if hasattr(pages, "incr_or_start"):  # Redis (improvewell.cache): one round trip
        pages.incr_or_start(keys, _start)
        return
    for key in keys:
        try:
            pages.incr(key)
        except ValueError:  # lost, or never set: start again
            pages.add(key, _start(), timeout=None)


def move(owners) -> None:
    owners = set(owners)
    # Missed when the cache is down: made when it answers again (see `_Breaker`).
    with suppress(CacheDown):
        breaker.call(lambda pages: _incr(pages, owners), owners=owners)


def current(organisation_id) -> tuple[int, int] | None:
    """(the organisation's version, the version of everything), or None if the cache is
    down. A version the cache has lost starts again from a random number, so that a page
    cached under an earlier life of it is never taken for a fresh one.

    Read once per transaction (a request's, in the tenancy middleware) until it writes:
    the versions a request started from are older than any row it reads, as they must be.
    """
    return current_and_recall(organisation_id, None)[0]


def current_and_recall(owner, key: str | None, also=(), ahead=()):
    """(`current(owner)`, `recall(key)`) in one round trip to the cache, reading the
    versions of the owners in `also` on the way (for the rest of the transaction), and
    the values of the keys in `ahead`, which a `recall` later in the transaction takes
    without asking the cache again (until a write, which forgets them with the versions).
    """
    seen = _seen()
    if seen is not None and owner in seen:
        return seen[owner], recall(key) if key else None
    asked = [owner, *also]
    owners = [*(str(o) for o in asked), ALL]
    wanted = [_key(o) for o in owners]
    kept_keys = [k for k in (key, *ahead) if k] if kept_across_processes() else []
    wanted += kept_keys

    def work(pages):
        found = pages.get_many(wanted)
        versions = {}
        for o in owners:
            version = found.get(_key(o))
            if version is None:
                pages.add(_key(o), _start(), timeout=None)
                version = pages.get(_key(o))
            versions[o] = int(version)
        return versions, found

    try:
        versions, found = breaker.call(work)
    except CacheDown:
        return None, None
    answers = {o: (versions[str(o)], versions[ALL]) for o in asked}
    if seen is not None:
        seen.update(answers)
        seen.update({(AHEAD, k): found.get(k) for k in ahead if k in kept_keys})
    return answers[owner], found.get(key) if key else None


AHEAD = "read ahead"


def _seen() -> dict | None:
    """What this transaction has read from the cache (None outside a transaction)."""
    return getattr(connection, "versions_seen", None) if connection.in_atomic_block else None


# Pages of a list worth keeping: the first few, without a search. Anything else is
# rendered each time, so that what a member types cannot fill the cache.
KEPT_PAGES = 5


def list_query(request, filter_names) -> list | None:
    """A list page's query as part of a key, or None when the page is not worth keeping
    (a search, a deep page, or a parameter the list does not know)."""
    params = sorted(request.GET.lists())
    if any(name not in {*filter_names, "page"} for name, _ in params) or request.GET.get("q"):
        return None
    page = request.GET.get("page", "1")
    if not page.isdigit() or int(page) > KEPT_PAGES:
        return None
    return params


def kept_across_processes() -> bool:
    """Whether page parts are kept: only with our PostgreSQL backend, which moves the
    versions (not SQLite, the local demo), and a cache every process shares (Redis: a
    per-process cache would keep serving what another process's write changed)."""
    return hasattr(connection, "content_written") and bool(settings.REDIS_URL)


def recall(key: str):
    """A value `keep` stored, or None (also when the cache is down)."""
    if not kept_across_processes():
        return None
    seen = _seen()
    if seen is not None and (AHEAD, key) in seen:
        return seen.pop((AHEAD, key))
    try:
        return breaker.call(lambda pages: pages.get(key))
    except CacheDown:
        return None


def keep(key: str, value) -> None:
    """Store a value whose holder checks its versions itself (see `current`)."""
    if not kept_across_processes():
        return
    with suppress(CacheDown):
        breaker.call(lambda pages: pages.set(key, value, PAGE_SECONDS))


@once
def release_digest() -> str:
    """A digest of this release's templates and code (read once per process), in every
    key: a new release never serves a page the last one rendered."""
    from django.apps import apps

    base = Path(settings.BASE_DIR)
    folders = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    folders += [Path(a.path) for a in apps.get_app_configs() if Path(a.path).is_relative_to(base)]
    digest = hashlib.sha256()
    for folder in sorted(set(folders)):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".html", ".py", ".txt"):
                digest.update(str(path.relative_to(base)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


# Copies of what `cached` gave this process, under the keys that name their versions: as
# fresh as the cache's, saving only their round trip. Under 10 MB (pages of tens of KB).
in_process = ProcessCopies(size=256, seconds=PAGE_SECONDS)


def cached(organisation, name: str, varies_on, build, *, of_setup=False, shared=False):
    """`build()`'s value for this organisation's current content, from the cache when
    the same page with the same `varies_on` was built since the last write (with
    `of_setup`, since the last write to its set-up: a value read from SETUP_TABLES only).

    The value must hold nothing about the person asking: it is served to every member.
    With `shared`, this process keeps its own copy as well (`in_process`) and hands the
    same object to each request: only for a value its callers never change.
    """
    if not kept_across_processes():
        return build()
    versions = current(setup(organisation.pk) if of_setup else organisation.pk)
    if versions is None:
        return build()
    payload = json.dumps([release_digest(), versions, varies_on], default=str, sort_keys=True)
    digest = hashlib.sha256(payload.encode()).hexdigest()
    key = f"page:{name}:{organisation.pk}:{digest}"
    value = in_process.get(key) if shared else None
    if value is not None:
        return value
    value = recall(key)
    if value is None:
        value = build()
        if value is not None:  # nothing kept for what is not there (an unknown id)
            keep(key, value)
    if shared and value is not None:
        in_process.put(key, value)
    return value
