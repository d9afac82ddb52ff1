from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from improvewell import versions
from improvewell.rls import cross_organisation

from .models import Membership, Organisation, Role, Site, Ward

# Which organisation a slug names, as the cache last said (checked on every request).
_organisation_ids: dict[str, int | None] = {}


def membership_for_request(user, org_slug: str) -> Membership | None:
    """The user's active membership of the organisation at `org_slug`, or None.

    Missing organisation and missing membership give the same answer, so that
    nobody learns whether an organisation exists.

    Every page asks, so the answer is kept in the cache under the organisation's
    set-up version (improvewell.versions): any write to its memberships, teams, sites,
    wards or settings, and any change to a person, moves the version and the next
    request reads the database again; sharing or supporting an idea does not. A
    deactivated member is refused on their next request.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    key = f"membership:{versions.release_digest()[:16]}:{user.pk}:{org_slug}"
    # The versions are read before the database, so that a write committed meanwhile
    # makes what is kept stale; with the kept answer in one round trip, when this
    # process has seen where the organisation is.
    seen_id = _organisation_ids.get(org_slug)
    if seen_id is None:
        now, kept = None, versions.recall(key)
    else:
        # The content version too, which the page's kept parts are read under, and the
        # member's unread count with the version it is kept under (the header shows it).
        also = [seen_id, versions.notifications(seen_id)]
        ahead = [versions.unread_key(seen_id, user.pk)]
        now, kept = versions.current_and_recall(
            versions.setup(seen_id), key, also=also, ahead=ahead
        )
    organisation_id = kept[0] if kept else None
    if organisation_id is not None and organisation_id != seen_id:
        now = versions.current(versions.setup(organisation_id))
        _organisation_ids[org_slug] = organisation_id
    if kept and now is not None and kept[1] == now:
        membership = kept[2]
    else:
        membership = _membership_from_database(user, org_slug)
        if membership is not None and membership.organisation_id == organisation_id and now:
            versions.keep(key, (organisation_id, now, membership))
        elif membership is not None:
            # First sight of this organisation: remember where it is; the membership is
            # kept on the next request, under versions read before its lookup.
            versions.keep(key, (membership.organisation_id, None, None))
    if membership is not None:
        membership.user = user  # already loaded by the authentication middleware
    return membership


def _membership_from_database(user, org_slug: str) -> Membership | None:
    # The teams' member lists (teams.Team.members), read without importing the teams app.
    places_on_teams = Membership.teams.through.objects
    # Runs before the organisation's scope is known, in the tenant middleware.
    with cross_organisation():
        return (
            Membership.objects.select_related("organisation", "home_ward")
            # Whether they are on a team (the menu asks on every page) and whether they have
            # two-factor authentication (privileged pages ask): in the same query.
            .annotate(
                on_a_team=Exists(places_on_teams.filter(membership_id=OuterRef("pk"))),
                has_mfa=Exists(Authenticator.objects.filter(user_id=OuterRef("user_id"))),
            )
            .filter(organisation__slug=org_slug, user=user, is_active=True)
            .order_by("pk")  # one at most; the default order would join the users
            .first()
        )


def memberships_of_user(user) -> list[Membership]:
    """Every organisation the person belongs to, for the chooser after sign-in."""
    with cross_organisation():
        return list(
            Membership.objects.select_related("organisation")
            .filter(user=user, is_active=True)
            .order_by("organisation__name")
        )


def sites_with_wards(organisation: Organisation) -> list[Site]:
    return list(
        Site.objects.filter(organisation=organisation)
        .prefetch_related(Prefetch("wards", queryset=Ward.objects.filter(is_active=True)))
        .annotate(member_count=Count("wards__members", filter=Q(wards__members__is_active=True)))
    )


def active_admins(organisation_id: int):
    """The organisation's admins who can still sign in: there must always be one."""
    return Membership.objects.filter(
        organisation_id=organisation_id, role=Role.ORG_ADMIN, is_active=True, user__is_active=True
    )


STATUSES = {"active": True, "inactive": False}


def member_list(
    organisation: Organisation,
    *,
    query: str = "",
    role: str = "",
    profession: str = "",
    home_ward=None,
    status: str = "",
):
    """The staff list and its CSV export, filtered: one query whatever the page size.

    The search matches names and emails case-insensitively anywhere in them; the
    trigram indexes of migration 0004 keep it fast at the largest trusts' 30,000 members.
    """
    members = Membership.objects.filter(organisation=organisation).select_related(
        "user", "home_ward", "home_ward__site"
    )
    if query:
        members = members.filter(Q(user__email__icontains=query) | Q(user__name__icontains=query))
    if role:
        members = members.filter(role=role)
    if profession:
        members = members.filter(profession=profession)
    if home_ward is not None:
        members = members.filter(home_ward=home_ward)
    if status in STATUSES:
        members = members.filter(is_active=STATUSES[status])
    return members.order_by("user__name", "user__email")


def is_platform_admin_only(user) -> bool:
    """A platform admin (staff or superuser) with no active membership: their place is
    /admin/, not "You are not part of an organisation yet"."""
    if not user.is_authenticated or not (user.is_staff or user.is_superuser):
        return False
    with cross_organisation():
        return not Membership.objects.filter(user=user, is_active=True).exists()


def _count_of(model, field: str, **filters):
    rows = model.objects.filter(**{field: OuterRef("pk")}, **filters).order_by()
    counted = rows.values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def sites_for_admin(organisation: Organisation) -> list[Site]:
    """Every site with all its wards, archived ones too, each with its number of active
    home-ward members and of ideas: two queries, whatever the number of wards."""
    # The ideas app sits above organisations: its model is reached through the relation.
    idea_model = Ward._meta.get_field("ideas").related_model
    wards = Ward.objects.filter(organisation=organisation).annotate(
        member_count=_count_of(Membership, "home_ward", is_active=True),
        idea_count=_count_of(idea_model, "ward"),
    )
    return list(
        Site.objects.filter(organisation=organisation)
        .order_by("name")
        .prefetch_related(Prefetch("wards", queryset=wards.order_by("-is_active", "name")))
    )
