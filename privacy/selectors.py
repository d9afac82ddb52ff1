"""A person's own data, as they download it from their account (UK GDPR, article 15).

Only the person themself: every query starts from their user and their memberships,
and another person's data never enters (no one else's name, email or comments). Their
anonymous ideas are found the way "My ideas" finds them, by their token
(`ideas.anonymity.shared_by`), and their pulse check-ins by working out each day's
token as checking in does. Anything about an anonymous idea carries its day, never a
time: that is all the database keeps of it, and the file should not suggest more.
API tokens show their names and dates, never their digests.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db.models import Min, Q
from django.utils import timezone

from api.models import PersonalAccessToken
from ideas.anonymity import addressed_to, pulse_check_ins_by, shared_by
from ideas.models import Comment, Idea, Notification, PulseCheckIn, Support
from ideas.pulse_tags import pulse_tag_labels
from improvewell.rls import cross_organisation, tenant_scope
from organisations.models import Membership

# The kinds of data, in the order the download lists them (a CSV file each).
KINDS = (
    "profile",
    "memberships",
    "ideas",
    "comments",
    "supports",
    "pulse_check_ins",
    "notifications",
    "api_tokens",
)
# Check-in days' tokens are looked up this many at a time.
PULSE_DAYS_PER_QUERY = 500


def _day(moment) -> str | None:
    return timezone.localdate(moment).isoformat() if moment else None


def _moment(moment, *, anonymous: bool) -> str | None:
    """A time for the person's named rows; only the day for anything anonymous."""
    if moment is None:
        return None
    return _day(moment) if anonymous else timezone.localtime(moment).isoformat()


def _profile(user) -> list[dict]:
    return [
        {
            "email": user.email,
            "name": user.name,
            "joined": _day(user.date_joined),
            "email_me_about_my_ideas": user.email_notifications,
            "email_addresses": ", ".join(
                EmailAddress.objects.filter(user=user)
                .order_by("email")
                .values_list("email", flat=True)
            ),
            "two_factor_methods": ", ".join(
                sorted(Authenticator.objects.filter(user=user).values_list("type", flat=True))
            ),
        }
    ]


def _membership_row(membership: Membership) -> dict:
    return {
        "organisation": membership.organisation.name,
        "role": membership.get_role_display(),
        "staff_group": membership.get_profession_display(),
        "home_ward": str(membership.home_ward) if membership.home_ward_id else "",
        "active": membership.is_active,
        "joined": _day(membership.created_at),
    }


def _idea_row(idea: Idea) -> dict:
    anonymous = idea.is_anonymous
    return {
        "organisation": idea.organisation.name,
        "id": str(idea.pk),
        "kind": idea.get_kind_display(),
        "title": idea.title,
        "description": idea.description,
        "category": str(idea.category),
        "place": str(idea.place) if idea.place else "",
        "status": idea.get_status_display(),
        "anonymous": anonymous,
        "shared": _moment(idea.created_at, anonymous=anonymous),
        "status_changed": _moment(idea.status_changed_at, anonymous=anonymous),
    }


def _ideas(member: Membership) -> list[Idea]:
    return list(
        Idea.objects.filter(organisation=member.organisation)
        .filter(shared_by(member))
        .select_related("organisation", "category", "ward", "site")
        .order_by("created_at", "pk")
    )


def _comments(member: Membership, ideas: list[Idea]) -> list[dict]:
    """Their named comments, and those they wrote as the anonymous submitter of their
    own ideas (which carry no author: only the idea's token says whose they are)."""
    anonymous_ids = [idea.pk for idea in ideas if idea.is_anonymous]
    theirs = Q(author_id=member.user_id) | Q(by_anonymous_submitter=True, idea__in=anonymous_ids)
    comments = (
        Comment.objects.filter(organisation=member.organisation)
        .filter(theirs)
        .select_related("idea")
        .order_by("created_at", "position")
    )
    return [
        {
            "organisation": member.organisation.name,
            "idea_id": str(c.idea_id),
            "idea_title": c.idea.title,
            "as_anonymous_submitter": c.by_anonymous_submitter,
            "text": c.body,
            "written": _moment(c.created_at, anonymous=c.idea.is_anonymous),
        }
        for c in comments
    ]


def _supports(member: Membership) -> list[dict]:
    supports = Support.objects.filter(
        organisation=member.organisation, user_id=member.user_id
    ).select_related("idea")
    return [
        {
            "organisation": member.organisation.name,
            "idea_id": str(s.idea_id),
            "idea_title": s.idea.title,
            "supported": _moment(s.created_at, anonymous=s.idea.is_anonymous),
        }
        for s in supports.order_by("created_at")
    ]


def _check_in_days(member: Membership):
    """Every day on which anyone in the organisation checked in, up to today: the
    person's own days are among them."""
    first = PulseCheckIn.objects.filter(organisation=member.organisation).aggregate(
        first=Min("day")
    )["first"]
    if first is None:
        return []
    today = timezone.localdate()
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


def own_pulse_check_ins(member: Membership) -> list[PulseCheckIn]:
    """The member's own check-ins, found by each day's token as checking in works it out."""
    days = _check_in_days(member)
    found = []
    for start in range(0, len(days), PULSE_DAYS_PER_QUERY):
        chunk = days[start : start + PULSE_DAYS_PER_QUERY]
        found += PulseCheckIn.objects.filter(pulse_check_ins_by(member, days=chunk)).select_related(
            "ward"
        )
    return sorted(found, key=lambda check_in: check_in.day)


def _pulse_check_ins(member: Membership) -> list[dict]:
    # Tags by their label now (a renamed or retired tag's too), or the stored key.
    labels = pulse_tag_labels(member.organisation_id)
    return [
        {
            "organisation": member.organisation.name,
            "day": c.day.isoformat(),
            "ward": str(c.ward) if c.ward_id else "",
            "score": c.score,
            "tags": ", ".join(labels.get(key, key) for key in c.tags),
        }
        for c in own_pulse_check_ins(member)
    ]


def _notifications(member: Membership) -> list[dict]:
    notifications = (
        Notification.objects.filter(organisation=member.organisation)
        .filter(addressed_to(member))
        .order_by("created_at", "pk")
    )
    return [
        {
            "organisation": member.organisation.name,
            "idea_id": str(n.idea_id),
            "type": n.get_type_display(),
            "text": n.text,
            "sent": _moment(n.created_at, anonymous=bool(n.recipient_token)),
            "read": n.is_read,
        }
        for n in notifications
    ]


def _api_tokens(member: Membership) -> list[dict]:
    tokens = PersonalAccessToken.objects.filter(
        organisation=member.organisation, user_id=member.user_id
    ).order_by("created_at")
    return [
        {
            "organisation": member.organisation.name,
            "name": t.name,
            "access": t.get_scope_display(),
            "created": _day(t.created_at),
            "expires": _day(t.expires_at),
            "last_used": _day(t.last_used_at),
            "revoked": _day(t.revoked_at),
        }
        for t in tokens
    ]


def _memberships(user) -> list[Membership]:
    # A person's memberships span organisations: found from the person, not a tenant.
    with cross_organisation():
        return list(
            Membership.objects.filter(user=user)
            .select_related("organisation", "home_ward")
            .order_by("organisation__name")
        )


def personal_data(user) -> dict[str, list[dict]]:
    """Everything ImproveWell keeps about `user`, by kind (`KINDS`), for them alone.

    Each organisation is read inside its own scope, as its pages are, with the member's
    own filters: no query here can reach another person's rows.
    """
    memberships = _memberships(user)
    data = {kind: [] for kind in KINDS}
    data["profile"] = _profile(user)
    for member in memberships:
        member.user = user
        data["memberships"].append(_membership_row(member))
        with tenant_scope(member.organisation):
            ideas = _ideas(member)
            data["ideas"] += [_idea_row(idea) for idea in ideas]
            data["comments"] += _comments(member, ideas)
            data["supports"] += _supports(member)
            data["pulse_check_ins"] += _pulse_check_ins(member)
            data["notifications"] += _notifications(member)
            data["api_tokens"] += _api_tokens(member)
    return data
