"""Who is calling, as the API's cross-cutting behaviour counts them, and the keyed hashes
that name a caller wherever something about them is kept.

A token is a caller of its own and a signed-in person (the web session) another, so a
script's token and its owner's browser have separate rate limits and separate
idempotency keys. Anything kept about a caller (a rate-limit counter in Redis, an
idempotency record in the database) names them only by an HMAC under a key derived
from ANONYMITY_KEY, which is kept outside the database and Redis: neither a dump nor a
Redis reader can turn it back into a person (docs/anonymity.md).
"""

import hashlib
import hmac

from django.conf import settings

from .models import PersonalAccessToken


def token_of(request) -> PersonalAccessToken | None:
    auth = request.auth
    return auth if isinstance(auth, PersonalAccessToken) else None


def caller_of(request) -> str | None:
    """`token:<id>` or `user:<id>`; None for nobody signed in."""
    token = token_of(request)
    if token is not None:
        return f"token:{token.pk}"
    user = request.user
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def keyed_digest(purpose: str, message: str) -> str:
    """HMAC-SHA256 of `message` under a key derived from ANONYMITY_KEY for `purpose`:
    a digest made for one purpose cannot be matched with one made for another."""
    key = hmac.new(
        settings.ANONYMITY_KEY.encode(), f"improvewell-api:{purpose}".encode(), hashlib.sha256
    ).digest()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
