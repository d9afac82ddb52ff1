from datetime import timedelta

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
)
from django.utils import timezone

from improvewell import versions
from improvewell.plans import in_written_join_order
from organisations.models import Membership, Organisation, Ward

from .anonymity import (
    addressed_to,
    addressed_to_sql,
    sealed_count,
    shared_by,
    shared_by_sql,
    unsealed_count,
    with_author_standing,
)
from .models import OPEN_STATUSES, Category, Comment, Idea, IdeaEvent, Notification, Status, Support

# The same expression as the GIN index in migration 0002, so PostgreSQL can use it.
SEARCH_VECTOR = SearchVector("title", "description", config="english")


def awaiting_reply() -> Q:
    """Ideas still open that nobody has answered yet."""
    return Q(status__in=OPEN_STATUSES, first_response_at__isnull=True)


def response_target(organisation: Organisation, *, urgent: bool) -> timedelta:
    """How long an idea may wait for its first reply: the organisation's response target,
    or its shorter one for an urgent concern. The one home of that rule: the inbox, the
    digest and the dashboards' "answered within target" all ask here."""
    if urgent:
        return timedelta(days=organisation.urgent_response_target_days)
    return timedelta(days=organisation.response_target_days)


def past_response_target(organisation: Organisation, *, at=None) -> Q:
    """Ideas awaiting a reply for longer than their response target.

    The one rule behind the triage inbox's red tag and filter, the weekly digest's count
    and the dashboards' missed answers, so that they cannot disagree about which ideas
    are late.
    """
    now = at or timezone.now()
    late = Q()
    for urgent in (False, True):
        due = now - response_target(organisation, urgent=urgent)
        late |= Q(is_urgent=urgent, created_at__lt=due)
    return awaiting_reply() & late


def with_past_target(ideas, organisation: Organisation):
    """`ideas` annotated with `past_target` (bool), for pages that tag late ideas."""
    late = ExpressionWrapper(past_response_target(organisation), output_field=BooleanField())
    return ideas.annotate(past_target=late)


def on_site(site) -> Q:
    """Ideas about a site: those on its wards and those that name only the site."""
    return Q(ward__site=site) | Q(site=site)


def search(ideas, query: str):
    """`ideas` whose title or description match `query`: by word forms on PostgreSQL."""
    if connection.vendor == "postgresql":
        return ideas.annotate(search=SEARCH_VECTOR).filter(
            search=SearchQuery(query, search_type="websearch", config="english")
        )
    return ideas.filter(Q(title__icontains=query) | Q(description__icontains=query))


def idea_board(ideas):
    """The board's ideas, as `ideas.filters.IdeaFilterSet` filtered and sorted them,
    with what each summary on the board shows."""
    return with_author_standing(ideas.select_related("ward__site", "site", "category", "author"))


def supported_idea_ids(member: Membership, ideas) -> set:
    """Which of these ideas the member supports: one query for a whole page."""
    return set(
        Support.objects.filter(user_id=member.user_id, idea__in=[i.pk for i in ideas]).values_list(
            "idea_id", flat=True
        )
    )


def viewer_marks(member: Membership, idea_ids) -> dict[str, tuple[bool, bool]]:
    """For the ideas among `idea_ids` that the member supports or shared (named or
    anonymously): {id: (supports, shared)}, in one query for a whole page.

    Every board and API list asks this of the page it took from the cache, so it is
    written in SQL: built by the ORM, the query cost four times as long as it runs.
    Row-level security still confines it to the member's organisation."""
    if not idea_ids:
        return {}
    shared, params = shared_by_sql(member, "i")
    # Plain SQL that SQLite (the local demo) runs too: ids bound as the database keeps them.
    uuid_field = Idea._meta.pk
    ids = [uuid_field.get_db_prep_value(pk, connection) for pk in idea_ids]
    sql = f"""
        SELECT i.id, s.id IS NOT NULL, {shared}
        FROM ideas_idea i
        LEFT JOIN ideas_support s ON s.idea_id = i.id AND s.user_id = %s
        WHERE i.id IN ({", ".join(["%s"] * len(ids))})
    """  # noqa: S608 (no input in the text: the condition is ours, values are parameters)
    # No organisation in the condition: row-level security confines the rows, and with it
    # PostgreSQL also read the organisation's whole index, which grows with its ideas.
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, member.user_id, *ids])
        return {
            str(uuid_field.to_python(pk)): (bool(supports), bool(own))
            for pk, supports, own in cursor.fetchall()
            if supports or own
        }


def idea_for_member(member: Membership, idea_id):
    ideas = Idea.objects.filter(organisation=member.organisation, pk=idea_id)
    related = ideas.select_related("ward__site", "site", "category", "author", "merged_into")
    found = in_written_join_order(with_author_standing(related)[:1])
    return found[0] if found else None


def idea_timeline(idea: Idea):
    return list(IdeaEvent.objects.filter(idea=idea).select_related("actor"))


def idea_comments(idea: Idea):
    return in_written_join_order(
        with_author_standing(Comment.objects.filter(idea=idea).select_related("author"))
    )


def notifications_for(member: Membership):
    return Notification.objects.filter(organisation=member.organisation).filter(
        addressed_to(member)
    )


def unread_notification_count(member: Membership) -> int:
    """The member's unread notifications, for the header of every page.

    Kept in the cache, sealed (anonymity.sealed_count), under the organisation's
    notifications version, which every write to its notifications moves
    (improvewell.versions): most requests then ask the database nothing for it.
    """
    key = versions.unread_key(member.organisation_id, member.user_id)
    now, kept = versions.current_and_recall(versions.notifications(member.organisation_id), key)
    binding = f"{key}:{now}"
    count = unsealed_count(kept, binding) if now is not None and kept is not None else None
    if count is None:
        count = _unread_notifications_in_database(member)
        if now is not None:
            versions.keep(key, sealed_count(count, binding))
    return count


def _unread_notifications_in_database(member: Membership) -> int:
    # Written in SQL: as built by the ORM the query cost more than it runs. Row-level
    # security still confines it to the member's organisation.
    addressed, params = addressed_to_sql(member, "n")
    sql = f"""
        SELECT count(*) FROM ideas_notification n
        WHERE n.organisation_id = %s AND NOT n.is_read AND {addressed}
    """  # noqa: S608 (no input in the text: the condition is ours, values are parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [member.organisation_id, *params])
        return cursor.fetchone()[0]


def ideas_of_member(member: Membership):
    unread = (
        notifications_for(member)
        .filter(idea=OuterRef("pk"), is_read=False)
        .order_by()
        .values("idea")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Idea.objects.filter(organisation=member.organisation)
        .filter(shared_by(member))
        .select_related("ward", "site", "category")
        .annotate(unread=Subquery(unread))
        .order_by("-created_at")
    )


def implemented_ideas(organisation: Organisation, *, ward: Ward | None = None):
    """Ideas that were implemented, each with what the team said was done."""
    last_implemented = IdeaEvent.objects.filter(
        idea=OuterRef("pk"), to_status=Status.IMPLEMENTED
    ).order_by("-created_at")
    ideas = Idea.objects.filter(organisation=organisation, status=Status.IMPLEMENTED)
    if ward is not None:
        ideas = ideas.filter(ward=ward)
    return (
        ideas.select_related("ward", "site", "category")
        .annotate(
            what_was_done=Subquery(last_implemented.values("message")[:1]),
            implemented_at=Subquery(last_implemented.values("created_at")[:1]),
        )
        .order_by("-status_changed_at")
    )


def share_choices(organisation: Organisation) -> dict:
    """The wards (with their sites) and categories the share form takes, by id: the
    active ones, as its lists offer. Kept under the organisation's set-up version and
    handed to every request of this process alike: never to be changed."""

    def build():
        wards = Ward.objects.filter(organisation=organisation, is_active=True)
        categories = Category.objects.filter(organisation=organisation, is_active=True)
        return {
            "ward": {ward.pk: ward for ward in wards.select_related("site")},
            "category": {category.pk: category for category in categories},
        }

    return versions.cached(organisation, "share-choices", [], build, of_setup=True, shared=True)
