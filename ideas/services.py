"""Writes for ideas, comments, supports, notifications and pulse check-ins.

Every function runs in a transaction, takes the acting member's Membership (which
carries the organisation) and refuses rows of another organisation.
"""

import uuid
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from improvewell.mail import queue_after_commit
from improvewell.validators import single_line
from organisations.models import Membership, Organisation, Site, Ward
from organisations.permissions import require_same_organisation

from . import anonymity, signals
from .anonymity import is_submitter, member_token, pulse_token
from .models import (
    TRANSITIONS,
    Category,
    Comment,
    Idea,
    IdeaEvent,
    Kind,
    Notification,
    PulseCheckIn,
    Status,
    Support,
)
from .pulse_tags import pulse_tags_check

SUBMISSIONS_PER_DAY = 30


class RateLimited(Exception):
    pass


def _check_submission_allowance(member: Membership, submission_id) -> None:
    """At most SUBMISSIONS_PER_DAY ideas a person a day, counted before the new one is
    written, leaving out an idea with the form's own id (a resent form is answered with
    its idea, whatever the count).

    Anonymity: counted from the ideas themselves (named by author, anonymous by the token
    the idea already carries), so no per-person history is kept anywhere else, such as a
    counter in Redis keyed by user and hour.
    """
    today = anonymity.start_of_today()
    shared_today = (
        Idea.objects.filter(
            anonymity.shared_by(member), organisation=member.organisation, created_at__gte=today
        )
        .exclude(pk=submission_id)
        .count()
    )
    if shared_today >= SUBMISSIONS_PER_DAY:
        raise RateLimited(
            f"You have shared {SUBMISSIONS_PER_DAY} ideas today, which is our limit. "
            "Thank you! Your idea is still here: please try again tomorrow."
        )


def _check_submission(organisation, *, kind, title, category, ward, site) -> None:
    """What a form cannot check alone, as field errors."""
    for field, value in (("ward", ward), ("site", site), ("category", category)):
        require_same_organisation(organisation.pk, value, field=field)
    if ward is not None and site is not None:
        raise ValidationError({"site": "Name a ward or a site, not both."})
    if not category.is_active:
        raise ValidationError({"category": "Choose a category from the list."})
    if ward is not None and not ward.is_active:
        raise ValidationError({"ward": "That ward is no longer in use. Choose another."})
    if kind not in Kind.values:
        raise ValidationError({"kind": "Choose what you are sharing."})
    try:
        single_line(title)
    except ValidationError as exc:
        raise ValidationError({"title": exc.messages}) from exc


def idea_submit(
    *,
    member: Membership,
    submission_id: uuid.UUID,
    kind: str,
    title: str,
    description: str,
    category: Category,
    ward: Ward | None,
    anonymous: bool,
    site: Site | None = None,
    urgent: bool = False,
) -> tuple[Idea, bool]:
    """Share an idea. Returns (idea, created).

    `submission_id` becomes the idea's id, so a double-clicked or resent form
    creates one idea: the second call returns the first idea unchanged.
    Anonymity: an anonymous idea stores no author and no time of day (its rows are
    stamped by `anonymity.clock`); its submitter is linked only through their HMAC token.
    `site` names a site instead of a ward (for an anonymous submitter on a small ward), so
    an idea names at most one of them. `urgent` counts only for a concern (the share form
    shows it to everyone without JavaScript): for another kind it is ignored.
    """
    organisation = member.organisation
    # Both refuse before anything is written: the writes need no savepoint of their own.
    _check_submission(organisation, kind=kind, title=title, category=category, ward=ward, site=site)
    _check_submission_allowance(member, submission_id)
    now = anonymity.clock(anonymous=anonymous)
    fields = {
        "organisation": organisation,
        "kind": kind,
        "title": title.strip(),
        "description": description.strip(),
        "category": category,
        "ward": ward,
        "site": site,
        "is_anonymous": anonymous,
        "is_urgent": bool(urgent) and kind == Kind.CONCERN,
        "author": None if anonymous else member.user,
        "submitter_token": member_token(member) if anonymous else "",
        "created_at": now,
    }
    with transaction.atomic(savepoint=False):  # the caller's transaction, or its own
        # Written without a look first, as nearly every form is sent once: a resent form
        # (or two raced clicks) finds its id taken, and gets its idea if it is theirs.
        try:
            with transaction.atomic():
                idea = Idea.objects.create(id=submission_id, **fields)
        except IntegrityError:
            existing = Idea.objects.filter(organisation=organisation, pk=submission_id).first()
            if existing is not None and is_submitter(member, existing):
                return existing, False
            # Someone else's id: never reveal or reuse it.
            idea = Idea.objects.create(id=uuid.uuid4(), **fields)
        IdeaEvent.objects.create(
            idea=idea,
            organisation=organisation,
            type=IdeaEvent.Type.SUBMITTED,
            actor=None if anonymous else member.user,
            to_status=Status.SUBMITTED,
            created_at=now,
        )
        signals.idea_shared.send(sender=Idea, idea=idea)
    return idea, True


def notify_submitter(idea: Idea, *, type: str, text: str) -> Notification | None:
    """Tell an idea's submitter about an update.

    A named submitter is emailed now. An anonymous one is told by the daily email
    (`anonymous_updates_send`), so that no mail log lines up with the moment of a change.
    """
    recipient = anonymity.recipient_of(idea)
    if recipient is None:
        return None
    notification = Notification.objects.create(
        organisation_id=idea.organisation_id,
        idea=idea,
        type=type,
        text=Truncator(text).chars(Notification._meta.get_field("text").max_length),
        created_at=anonymity.stamp(idea),
        **recipient,
    )
    if not idea.is_anonymous:
        from .tasks import send_notification_email_task

        queue_after_commit(
            send_notification_email_task,
            organisation_id=idea.organisation_id,
            notification_id=notification.pk,
        )
    return notification


def _lock(idea: Idea) -> Idea:
    return Idea.objects.select_for_update(of=("self",)).get(pk=idea.pk)


@transaction.atomic
def idea_support(*, member: Membership, idea: Idea) -> bool:
    """Support (+1) an idea once. Returns True if this call added the support.

    Two concurrent calls by the same person leave one row: the unique constraint
    decides, and only the call that inserted the row bumps the counter.
    """
    require_same_organisation(member.organisation_id, idea, field="idea")
    if is_submitter(member, idea):
        raise ValidationError("You cannot support your own idea.")
    try:
        with transaction.atomic():
            Support.objects.create(
                idea=idea, organisation_id=idea.organisation_id, user=member.user
            )
    except IntegrityError:
        return False
    Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
    return True


@transaction.atomic
def idea_unsupport(*, member: Membership, idea: Idea) -> bool:
    require_same_organisation(member.organisation_id, idea, field="idea")
    deleted, _ = Support.objects.filter(idea=idea, user=member.user).delete()
    if deleted:
        Idea.objects.filter(pk=idea.pk, support_count__gt=0).update(
            support_count=F("support_count") - 1
        )
    return bool(deleted)


@transaction.atomic
def comment_add(*, member: Membership, idea: Idea, body: str) -> Comment:
    """Comment on an idea. The anonymous submitter writes as 'Submitter (anonymous)'."""
    require_same_organisation(member.organisation_id, idea, field="idea")
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write a comment."})
    idea = _lock(idea)
    by_submitter = is_submitter(member, idea)
    anonymous = by_submitter and idea.is_anonymous
    comment = Comment.objects.create(
        idea=idea,
        organisation_id=idea.organisation_id,
        author=None if anonymous else member.user,
        by_anonymous_submitter=anonymous,
        body=body,
        created_at=anonymity.stamp(idea),
        position=idea.comment_count,
    )
    updates = {"comment_count": F("comment_count") + 1}
    if not by_submitter and idea.first_response_at is None:
        updates["first_response_at"] = comment.created_at
    Idea.objects.filter(pk=idea.pk).update(**updates)
    if not by_submitter:
        notify_submitter(
            idea, type=Notification.Type.COMMENT, text=f"New comment on “{idea.title}”"
        )
    return comment


@transaction.atomic
def idea_change_status(
    *, member: Membership, idea: Idea, to_status: str, message: str = ""
) -> IdeaEvent:
    """Move an idea along the workflow, record the event and tell the submitter."""
    require_same_organisation(member.organisation_id, idea, field="idea")
    idea = _lock(idea)
    message = message.strip()
    if to_status == Status.DUPLICATE:
        raise ValidationError({"to_status": "Mark a duplicate by merging it into another idea."})
    if to_status not in TRANSITIONS.get(idea.status, set()):
        raise ValidationError(
            {
                "to_status": f"An idea that is “{idea.get_status_display()}” cannot move to "
                f"“{Status(to_status).label if to_status in Status.values else to_status}”."
            }
        )
    if to_status == Status.NOT_TAKEN_FORWARD and not message:
        raise ValidationError({"message": "Explain why the idea is not being taken forward."})
    return record_status(member=member, idea=idea, to_status=to_status, message=message)


def record_status(
    *, member: Membership, idea: Idea, to_status: str, message: str, merged_into: Idea | None = None
) -> IdeaEvent:
    """Write a status change that has been checked: the event, the idea and the notification."""
    now = anonymity.stamp(idea)
    from_status = idea.status
    event = IdeaEvent.objects.create(
        idea=idea,
        organisation_id=idea.organisation_id,
        type=IdeaEvent.Type.STATUS,
        actor=member.user,
        from_status=idea.status,
        to_status=to_status,
        message=message,
        created_at=now,
    )
    idea.status = to_status
    idea.status_changed_at = now
    idea.merged_into = merged_into
    if idea.first_response_at is None:
        idea.first_response_at = now
    idea.save(update_fields=["status", "status_changed_at", "first_response_at", "merged_into"])
    if merged_into is not None:
        text = f"“{idea.title}” is the same as “{merged_into.title}”: follow it there"
    else:
        text = f"“{idea.title}” is now {Status(to_status).label.lower()}"
    notify_submitter(idea, type=Notification.Type.STATUS, text=text)
    signals.idea_status_changed.send(
        sender=Idea, idea=idea, from_status=from_status, to_status=to_status
    )
    return event


@transaction.atomic
def notifications_mark_read(*, member: Membership, notification_ids=None) -> int:
    from .selectors import notifications_for

    unread = notifications_for(member).filter(is_read=False)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(is_read=True)


@transaction.atomic
def notifications_mark_read_for_idea(*, member: Membership, idea: Idea) -> int:
    from .selectors import notifications_for

    return notifications_for(member).filter(idea=idea, is_read=False).update(is_read=True)


@transaction.atomic
def email_preference_set(*, user, email_notifications: bool) -> None:
    user.email_notifications = email_notifications
    user.save(update_fields=["email_notifications"])


@transaction.atomic
def pulse_check_in(
    *, member: Membership, score: int, tags: list[str], day: date | None = None
) -> PulseCheckIn:
    """Record how a shift went. At most one per person per day: a second replaces the first."""
    if not member.organisation.pulse_enabled:
        raise ValidationError("Pulse check-ins are switched off in this organisation.")
    if not 1 <= int(score) <= 5:
        raise ValidationError({"score": "Choose a score from 1 to 5."})
    tags = pulse_tags_check(member.organisation_id, tags)
    day = day or timezone.localdate()
    token = pulse_token(user_id=member.user_id, organisation_id=member.organisation_id, day=day)
    check_in, _ = PulseCheckIn.objects.update_or_create(
        organisation_id=member.organisation_id,
        day_token=token,
        defaults={
            "day": day,
            "ward": member.home_ward,
            "score": int(score),
            "tags": tags,
        },
    )
    return check_in


def anonymous_updates_send(*, organisation: Organisation) -> int:
    """The daily email to anonymous submitters: 'something you shared has an update'.

    One email per person however many updates, saying nothing of which idea or what
    changed, sent at a fixed hour. Idempotent and safe to retry: each person's
    notifications are marked emailed in the transaction that sends their email, so a
    failed send leaves them for the retry and a second run sends nothing twice.
    Returns the number of emails sent.
    """
    pending = Notification.objects.filter(
        organisation=organisation, is_emailed=False, recipient__isnull=True
    )
    tokens = set(pending.values_list("recipient_token", flat=True).distinct())
    if not tokens:
        return 0
    users = anonymity.tokens_of_active_members(organisation)
    link = settings.SITE_URL + reverse(
        "ideas:notifications", kwargs={"org_slug": organisation.slug}
    )
    sent = 0
    for token in tokens:
        with transaction.atomic():
            rows = list(
                pending.filter(recipient_token=token)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
            )
            if not rows:
                continue
            Notification.objects.filter(pk__in=rows).update(is_emailed=True)
            user = None
            if token in users:
                user = get_user_model().objects.filter(pk=users[token], is_active=True).first()
            if user is None or not user.email_notifications:
                continue
            send_mail(
                subject="[ImproveWell] Something you shared has an update",
                message=render_to_string(
                    "ideas/email/anonymous_update.txt",
                    {"organisation": organisation, "link": link},
                ),
                from_email=None,
                recipient_list=[user.email],
            )
            sent += 1
    return sent
