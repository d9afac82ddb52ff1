"""Ideas whose titles look like a piece of text: likely duplicates for the triage merge
picker, and existing ideas to support for someone typing a title on the share form.

On PostgreSQL titles are compared by trigrams (pg_trgm, migration 0012, whose GIN index
serves both operators used here): `%` for titles similar as a whole, `%>` for text that
is close to a part of a title ("trolley" finds "Second drug trolley for nights"). On
SQLite, the local default, a title matches when it contains one of the text's words.

Anonymity: the answer carries no author and no time, so whatever shows it (the share
form's suggestions, the merge picker) cannot name anyone; only what the idea's public
summary shows (title, kind, status, supports) is loaded.
"""

import re

from django.contrib.postgres.lookups import TrigramSimilar, TrigramWordSimilar
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest

from organisations.models import Organisation

from .models import Idea, Status

# Fewer characters than this say too little to compare (and would match most titles).
MIN_LENGTH = 4
MAX_TEXT = 200
SHOWN_FIELDS = ("id", "organisation_id", "title", "kind", "status", "support_count")


def similar_ideas(
    organisation: Organisation, text: str, *, exclude_id=None, limit: int = 5
) -> list[Idea]:
    """Up to `limit` of the organisation's ideas with titles like `text`, closest first.

    Never another organisation's ideas, never ideas merged as duplicates (their
    supporters have moved to the original), never the idea `exclude_id` itself.
    """
    # Control characters (a NUL would be refused by PostgreSQL) say nothing about a title.
    text = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text).split())[:MAX_TEXT]
    if len(text) < MIN_LENGTH:
        return []
    ideas = (
        Idea.objects.filter(organisation=organisation)
        .exclude(status=Status.DUPLICATE)
        .only(*SHOWN_FIELDS)
    )
    if exclude_id is not None:
        ideas = ideas.exclude(pk=exclude_id)
    if connection.vendor == "postgresql":
        ideas = (
            ideas.filter(
                TrigramSimilar(F("title"), Value(text))
                | TrigramWordSimilar(F("title"), Value(text))
            )
            .annotate(
                closeness=Greatest(
                    TrigramSimilarity("title", text), TrigramWordSimilarity(text, "title")
                )
            )
            .order_by("-closeness", "-support_count", "-created_at")
        )
    else:
        words = [w for w in re.findall(r"\w+", text) if len(w) >= MIN_LENGTH] or [text]
        match = Q()
        for word in words:
            match |= Q(title__icontains=word)
        ideas = ideas.filter(match).order_by("-support_count", "-created_at")
    return list(ideas[:limit])
