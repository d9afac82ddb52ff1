"""Every rule about anonymous authorship lives here; nothing else compares tokens.

What is protected: for an anonymous idea, nobody in the organisation (lead, admin,
platform admin, log reader, someone holding a database dump) can learn who shared it.
How:
- Tokens are HMACs under ANONYMITY_KEY, a secret kept outside the database: a dump
  alone cannot turn a token back into a person. Named ideas never carry a token, so a
  named and an anonymous idea of the same person cannot be matched.
- Time: every row about an anonymous idea (the idea, its events, its comments, the
  token-addressed notifications) is stamped with `clock`, which gives the start of the
  day, never the time. Read and emailed states of token notifications are flags, not
  times, so that no write stamps a person's named and anonymous rows alike.
- Email: an anonymous submitter is told only that something they shared has an
  update, once a day at a fixed hour (`send_anonymous_updates`), never at the moment
  a lead acts, so a mail log cannot be lined up with a status change.
- The cache: a member's unread count (every page's header) sums their named and
  anonymous notifications, so it is kept only sealed (`sealed_count`): encrypted under
  a key derived from ANONYMITY_KEY, bound to its cache key and version, always the same
  length. Someone holding a dump of the cache and of the database cannot line up
  people's counts with the notifications addressed to tokens.
What is deliberately not stored: no author, IP address, user agent or session key on
an anonymous idea; no per-person submission counter outside the database's own rows.
"""

import hashlib
import hmac
import secrets
import struct
from datetime import date, datetime
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from organisations.models import Membership

ANONYMOUS_LABEL = "Anonymous"
SUBMITTER_LABEL = "Submitter (anonymous)"
FORMER_MEMBER_LABEL = "A former member of staff"


def _hmac(message: str) -> str:
    from django.conf import settings

    key = settings.ANONYMITY_KEY.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def submitter_token(*, user_id: int, organisation_id: int) -> str:
    """Links a person to their anonymous ideas, comments and notifications in one organisation."""
    return _hmac(f"submitter:{organisation_id}:{user_id}")


def pulse_token(*, user_id: int, organisation_id: int, day: date) -> str:
    """One per person per day: a second check-in replaces the first, and days stay unlinked."""
    return _hmac(f"pulse:{organisation_id}:{user_id}:{day.isoformat()}")


def member_token(membership: Membership) -> str:
    return submitter_token(user_id=membership.user_id, organisation_id=membership.organisation_id)


@cache
def _sealer(key: str) -> AESGCM:
    return AESGCM(hashlib.sha256(b"sealed-count\x00" + key.encode()).digest())


def _count_sealer() -> AESGCM:
    from django.conf import settings

    return _sealer(settings.ANONYMITY_KEY)


def sealed_count(count: int, binding: str) -> bytes:
    """A count to keep in the cache, unreadable without ANONYMITY_KEY and of one length
    whatever the count; `binding` (its key and version) must match to open it."""
    nonce = secrets.token_bytes(12)
    return nonce + _count_sealer().encrypt(nonce, struct.pack("!Q", count), binding.encode())


def unsealed_count(sealed: bytes, binding: str) -> int | None:
    """The count `sealed_count` sealed with this binding, or None (another binding or
    key, or not a sealed count)."""
    if not isinstance(sealed, bytes) or len(sealed) != 36:
        return None
    try:
        plain = _count_sealer().decrypt(sealed[:12], sealed[12:], binding.encode())
    except InvalidTag:
        return None
    return struct.unpack("!Q", plain)[0]


# The clock ----------------------------------------------------------------------------


def start_of_day(moment: datetime) -> datetime:
    """Midnight at the start of a moment's day in the project's time zone (Europe/London)."""
    return timezone.localtime(moment).replace(hour=0, minute=0, second=0, microsecond=0)


def start_of_today() -> datetime:
    return start_of_day(timezone.now())


def clock(*, anonymous: bool) -> datetime:
    """The time to write on a row about an idea.

    Anonymity: for an anonymous idea, the start of the day and nothing finer, so that no
    template, filter or dump can place the submitter's (or anyone's) action in the day.
    """
    return start_of_today() if anonymous else timezone.now()


def stamp(idea, moment: datetime | None = None) -> datetime:
    """`clock` for a row about this idea (its events, comments, notifications, dates);
    `moment` backdates (the demo data), still at day precision for an anonymous idea."""
    moment = moment or timezone.now()
    return start_of_day(moment) if idea.is_anonymous else moment


# Whose is it, who hears about it -----------------------------------------------------


def is_submitter(member: Membership, idea) -> bool:
    """Did this member share this idea (named or anonymously)?"""
    if idea.is_anonymous:
        return hmac.compare_digest(idea.submitter_token, member_token(member))
    return idea.author_id is not None and idea.author_id == member.user_id


def shared_by(member: Membership) -> Q:
    """Filter for the ideas this member shared, named or anonymously."""
    return Q(author_id=member.user_id, is_anonymous=False) | Q(
        is_anonymous=True, submitter_token=member_token(member)
    )


def shared_by_sql(member: Membership, idea: str) -> tuple[str, list]:
    """`shared_by` as an SQL condition on the ideas_idea row aliased `idea`, for the one
    hot query the ORM would slow down (ideas.selectors.viewer_marks); tests check that
    the three forms (this, `shared_by` and `is_submitter`) agree."""
    sql = (
        f"(NOT {idea}.is_anonymous AND {idea}.author_id = %s)"
        f" OR ({idea}.is_anonymous AND {idea}.submitter_token = %s)"
    )
    return sql, [member.user_id, member_token(member)]


def addressed_to(member: Membership) -> Q:
    """Filter for the notifications meant for this member."""
    return Q(recipient_id=member.user_id) | Q(recipient_token=member_token(member))


def addressed_to_sql(member: Membership, notification: str) -> tuple[str, list]:
    """`addressed_to` as an SQL condition on the ideas_notification row aliased
    `notification`, for the unread count every page shows; a test checks the two agree."""
    sql = f"({notification}.recipient_id = %s OR {notification}.recipient_token = %s)"
    return sql, [member.user_id, member_token(member)]


def recipient_of(idea) -> dict | None:
    """Notification fields addressing an idea's submitter: the token for an anonymous
    idea (never the user), the author for a named one, None if there is nobody."""
    if idea.is_anonymous:
        return {"recipient_token": idea.submitter_token}
    if idea.author_id:
        return {"recipient_id": idea.author_id}
    return None


def with_author_standing(rows):
    """Ideas or comments annotated with whether their author is still an active member of
    their organisation: lists call this so that `author_label` asks no query per row."""
    still_here = Membership.objects.filter(
        organisation_id=OuterRef("organisation_id"), user_id=OuterRef("author_id"), is_active=True
    )
    return rows.annotate(author_is_member=Exists(still_here))


def _author_has_left(row) -> bool:
    """Leavers' named ideas and comments stay, shown as from a former member: their
    membership was deactivated (or their account erased), not the row."""
    if not row.author_id:
        return True
    known = getattr(row, "author_is_member", None)
    if known is None:
        known = Membership.objects.filter(
            organisation_id=row.organisation_id, user_id=row.author_id, is_active=True
        ).exists()
    return not known


def person_label(row) -> str:
    """The author of a named row (a comment, a project update): 'A former member of
    staff' once they have left."""
    return FORMER_MEMBER_LABEL if _author_has_left(row) else str(row.author)


def author_label(idea) -> str:
    """How an idea's author is shown to anyone (pages, API): 'Anonymous' names nobody;
    someone who has left is 'A former member of staff'."""
    if idea.is_anonymous:
        return ANONYMOUS_LABEL
    return person_label(idea)


def comment_author_label(comment) -> str:
    """How a comment's author is shown to anyone (the idea page, the API): the anonymous
    submitter of an idea writes as 'Submitter (anonymous)', naming nobody."""
    if comment.by_anonymous_submitter:
        return SUBMITTER_LABEL
    return person_label(comment)


def ward_is_too_small(ward, *, threshold: int) -> bool:
    """Would naming this ward on an anonymous idea narrow its author down to fewer people
    than the organisation's suppression threshold? (Team pages show home wards.)"""
    headcount = Membership.objects.filter(
        organisation_id=ward.organisation_id, home_ward=ward, is_active=True
    ).count()
    return headcount < threshold


def tokens_of_active_members(organisation) -> dict[str, int]:
    """token -> user id for every active member: computed when mail goes out, never stored
    (a stored index would be the very link the token exists to avoid)."""
    user_ids = Membership.objects.filter(organisation=organisation, is_active=True).values_list(
        "user_id", flat=True
    )
    return {
        submitter_token(user_id=user_id, organisation_id=organisation.pk): user_id
        # One list of ids, not a server-side cursor: this may run outside a transaction,
        # where a cursor would have to outlive it (which PgBouncer's transaction mode
        # does not allow); 30,000 ids are a few hundred kilobytes.
        for user_id in list(user_ids)
    }


# A person's own data, and forgetting them ---------------------------------------------


def pulse_check_ins_by(member: Membership, *, days) -> Q:
    """Filter for the member's own check-ins on these days: each day's token is worked out
    here, as on checking in, and never stored. A person has no other link to their days."""
    tokens = [
        pulse_token(user_id=member.user_id, organisation_id=member.organisation_id, day=day)
        for day in days
    ]
    return Q(organisation_id=member.organisation_id, day_token__in=tokens)


def unlinked_token() -> str:
    """A random token in place of an erased person's: nobody's key derives it, so the
    rows it marks belong to nobody."""
    return secrets.token_hex(32)
