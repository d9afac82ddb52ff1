"""How an anonymous submitter stays linked to what they shared without being named.

Tokens are HMACs under ANONYMITY_KEY, a secret kept outside the database: a dump of
the database alone cannot turn a token back into a person. Named ideas never carry
a token, so a named and an anonymous idea of the same person cannot be matched.
"""

import hashlib
import hmac
from datetime import date

from django.conf import settings

from organisations.models import Membership


def _hmac(message: str) -> str:
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


def user_for_token(organisation, token: str):
    """The active member whose token this is, or None: used only to deliver their email.

    Tries each member in turn (a few milliseconds for the largest trust); nothing is
    stored that would make the lookup faster, because that would be the link itself.
    """
    members = Membership.objects.filter(organisation=organisation, is_active=True).values_list(
        "user_id", flat=True
    )
    for user_id in members.iterator(chunk_size=5000):
        if hmac.compare_digest(
            submitter_token(user_id=user_id, organisation_id=organisation.pk), token
        ):
            return (
                Membership.objects.select_related("user")
                .get(organisation=organisation, user_id=user_id)
                .user
            )
    return None
