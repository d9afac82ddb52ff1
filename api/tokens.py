"""Personal access tokens: made, checked, touched and revoked only here.

A token is `iw_` and 32 random bytes; only its SHA-256 digest is stored, and the
token is shown once, on the page that made it. It works under one organisation's URLs
only (api/base.py turns it away elsewhere with a 404), for reading or for reading and
writing, until it expires (a year at most) or its owner revokes it; a member who is
deactivated loses its use at once, because every request checks the membership, and
the deactivation revokes it (`tokens_revoke_of_leavers`).
"""

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from ideas.anonymity import start_of_today
from improvewell import plain
from improvewell.rls import cross_organisation
from organisations.mfa import needs_mfa_setup
from organisations.models import Membership

from .models import PersonalAccessToken

User = get_user_model()

PREFIX = "iw_"
MAX_LIFETIME = timedelta(days=365)


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def tokens_of(user):
    """The person's tokens in every organisation, for their own page."""
    with cross_organisation():
        return list(
            PersonalAccessToken.objects.filter(user=user)
            .select_related("organisation")
            .order_by("-created_at")
        )


@transaction.atomic
def token_create(*, user, organisation_id, name: str, scope: str, lifetime: timedelta):
    """Make a token; returns (token row, the raw token to show once).

    The person must be an active member of the organisation; a role that needs
    two-factor authentication for its pages needs it before making a token too.
    """
    if not timedelta(days=1) <= lifetime <= MAX_LIFETIME:
        raise ValidationError({"expires_in": "Choose an expiry of up to a year."})
    with cross_organisation():
        membership = (
            Membership.objects.select_related("organisation")
            .filter(user=user, organisation_id=organisation_id, is_active=True)
            .first()
        )
        if membership is None:
            raise ValidationError({"organisation": "Choose one of your organisations."})
        if needs_mfa_setup(user, membership=membership):
            raise ValidationError(
                {
                    "organisation": "Set up two-factor authentication before making a token: "
                    "your role can see and change other people's information."
                }
            )
        raw = PREFIX + secrets.token_urlsafe(32)
        token = PersonalAccessToken.objects.create(
            user=user,
            organisation=membership.organisation,
            name=name.strip(),
            scope=scope,
            digest=digest_of(raw),
            prefix=raw[: len(PREFIX) + 6],
            expires_at=timezone.now() + lifetime,
        )
    return token, raw


@transaction.atomic
def token_revoke(*, user, token_id) -> bool:
    """Revoke one of the person's own tokens; False if there is no such usable token."""
    with cross_organisation():
        revoked = PersonalAccessToken.objects.filter(
            user=user, pk=token_id, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
    return bool(revoked)


def tokens_revoke_of_leavers(sender, *, memberships, **kwargs) -> int:
    """Deactivated members lose their tokens for that organisation for good, in the same
    transaction (organisations.signals.members_deactivated): reactivating them later
    does not bring an old key back."""
    if not memberships:
        return 0
    return PersonalAccessToken.objects.filter(
        organisation_id=memberships[0].organisation_id,
        user_id__in=[m.user_id for m in memberships],
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())


def token_touch(token: PersonalAccessToken, *, method: str) -> None:
    """Record the day the token was last used: at most one write a day, for reads only.

    Anonymity: the web tracks no session activity (USERSESSIONS_TRACK_ACTIVITY off), and
    neither does this, finer than the day. A request that writes never touches the token,
    so no anonymous idea or comment shares a transaction, or a moment, with a row that
    names its author; a read writes nothing else to share it with.
    """
    if method not in SAFE_METHODS:
        return
    today = start_of_today()
    if token.last_used_at is not None and token.last_used_at >= today:
        return
    with cross_organisation():  # one statement: no savepoint needed on every read
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=today)
    token.last_used_at = today


@cache
def _token_by_digest() -> tuple[list[str], list[str], str]:
    token_names, token_columns = plain.columns(PersonalAccessToken, "t")
    user_names, user_columns = plain.columns(User, "u")
    sql = (
        f"SELECT {token_columns}, {user_columns}"  # noqa: S608 (names from the models)
        f" FROM {plain.table(PersonalAccessToken)} t JOIN {plain.table(User)} u"
        " ON u.id = t.user_id"
        " WHERE t.digest = %s AND t.revoked_at IS NULL AND t.expires_at > %s"
    )
    return token_names, user_names, sql


def token_for(raw: str) -> PersonalAccessToken | None:
    """The usable token with this value, with its person, or None.

    Every API request with a token asks this first: one plain statement on PostgreSQL
    (improvewell/plain.py), the ORM elsewhere.
    """
    if not raw.startswith(PREFIX):
        return None
    digest, now = digest_of(raw), timezone.now()
    alias = router.db_for_read(PersonalAccessToken)
    with cross_organisation():
        if connections[alias].vendor != "postgresql":
            return (
                PersonalAccessToken.objects.select_related("user")
                .filter(digest=digest, revoked_at__isnull=True, expires_at__gt=now)
                .first()
            )
        token_names, user_names, sql = _token_by_digest()
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [digest, now])
            row = cursor.fetchone()
    if row is None:
        return None
    split = len(token_names)
    token = PersonalAccessToken.from_db(alias, token_names, row[:split])
    token.user = User.from_db(alias, user_names, row[split:])
    return token


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer iw_…`. Which organisation it may reach: api/base.py."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        keyword, _, raw = header.partition(" ")
        if keyword != self.keyword:
            return None
        token = token_for(raw.strip())
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token is not valid, or has expired.")
        token_touch(token, method=request.method)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
