"""Writes for organisations, memberships and invitations.

Every function runs in a transaction and refuses rows of another organisation.
"""

import re
from collections import Counter

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from improvewell.mail import queue_after_commit
from improvewell.rls import cross_organisation

from . import staff_services
from .models import (
    Invitation,
    Membership,
    Organisation,
    Role,
    SignupDomain,
    Ward,
    normalise_domain,
)
from .selectors import active_admins
from .signals import announce


class InvitationError(Exception):
    """Why an invitation link cannot be used, in words for the person holding it."""


def _check_ward(ward: Ward | None, organisation: Organisation, current_id=None) -> None:
    if ward is not None and ward.organisation_id != organisation.pk:
        raise ValidationError({"home_ward": "Choose a ward of this organisation."})
    # An archived ward (organisations.site_services) cannot be chosen again.
    if ward is not None and not ward.is_active and ward.pk != current_id:
        raise ValidationError({"home_ward": "That ward is no longer in use. Choose another."})


def _check_keeps_an_admin(membership: Membership, *, role: str, is_active: bool) -> None:
    losing_admin = membership.role == Role.ORG_ADMIN and membership.is_active
    stays_admin = role == Role.ORG_ADMIN and is_active
    if losing_admin and not stays_admin:
        others = active_admins(membership.organisation_id).exclude(pk=membership.pk)
        if not others.exists():
            raise ValidationError(staff_services.ONLY_ADMIN)


def organisation_for_email(email: str) -> Organisation | None:
    """The organisation that lists this email's domain for sign-up, if any."""
    domain = normalise_domain(email.rpartition("@")[2])
    if not domain:
        return None
    # Sign-up happens before any organisation is known: look across all of them.
    with cross_organisation():
        signup_domain = SignupDomain.objects.select_related("organisation").filter(domain=domain)
        found = signup_domain.first()
    return found.organisation if found else None


def _email_verified(user) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


@transaction.atomic
def membership_join_by_domain(*, user) -> Membership | None:
    """Make a person staff of the organisation that lists their email's domain.

    Only once that exact address is verified: anyone can type an address at a
    listed domain.
    """
    if not _email_verified(user):
        return None
    organisation = organisation_for_email(user.email)
    if organisation is None:
        return None
    with cross_organisation():
        membership, _ = Membership.objects.get_or_create(
            organisation=organisation, user=user, defaults={"role": Role.STAFF}
        )
    return membership


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    role: str,
    profession: str,
    home_ward: Ward | None,
    by: Membership | None = None,
) -> Membership:
    """An organisation admin (`by`, for the audit log) changes someone's role, staff group
    or home ward."""
    _check_ward(home_ward, membership.organisation, membership.home_ward_id)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=membership.pk)
    )
    _check_keeps_an_admin(membership, role=role, is_active=membership.is_active)
    before = _member_details(membership)
    membership.role = role
    membership.profession = profession
    membership.home_ward = home_ward
    membership.save(update_fields=["role", "profession", "home_ward"])
    _announce_member_change(by, membership, before)
    return membership


def _member_details(membership: Membership) -> dict:
    return {
        "role": membership.get_role_display(),
        "staff group": membership.get_profession_display() or "",
        "home ward": membership.home_ward.name if membership.home_ward_id else "",
    }


def _announce_member_change(by, membership: Membership, before: dict) -> None:
    after = _member_details(membership)
    changed = [key for key in after if after[key] != before[key]]
    if not changed:
        return
    role_changed = "role" in changed
    announce(
        by,
        "changed role" if role_changed else "changed staff details",
        kind="role" if role_changed else "admin",
        before={key: before[key] for key in changed},
        after={key: after[key] for key in changed},
        target_user=membership.user_id,
    )


def membership_set_active(*, membership: Membership, is_active: bool, by) -> Membership:
    """Deactivate or restore one member (`by` is the admin: a User or their Membership);
    the same rules, audit and session ending as a bulk change (organisations.staff_services)."""
    actor = (
        by
        if isinstance(by, Membership)
        else Membership(organisation=membership.organisation, user=by)
    )
    staff_services.members_change(
        by=actor,
        membership_ids=[membership.pk],
        action=staff_services.DEACTIVATE if not is_active else staff_services.REACTIVATE,
    )
    membership.refresh_from_db()
    return membership


@transaction.atomic
def profile_update(
    *, membership: Membership, profession: str, home_ward: Ward | None
) -> Membership:
    """A member sets their own staff group and home ward."""
    _check_ward(home_ward, membership.organisation, membership.home_ward_id)
    membership.profession = profession
    membership.home_ward = home_ward
    membership.save(update_fields=["profession", "home_ward"])
    return membership


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, email: str, role: str, invited_by
) -> Invitation:
    """Invite one person; replaces any pending invitation to the same address."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"email": "Enter an email address such as name@trust.nhs.uk."}
        ) from None
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    [invitation] = invitations_create(
        organisation=organisation, people=[(email, role)], invited_by=invited_by
    )
    return invitation


INVITATION_BATCH = 1000


@transaction.atomic
def invitations_create(
    *, organisation: Organisation, people: list[tuple[str, str]], invited_by
) -> list[Invitation]:
    """Invite many people at once (email, role), each as `invitation_create` would.

    Addresses must be valid and lower-case and roles known (the caller checked them).
    Any pending invitation to the same address is replaced; each email is queued once,
    after the transaction commits.
    """
    emails = [email for email, _ in people]
    for start in range(0, len(emails), INVITATION_BATCH):
        batch = emails[start : start + INVITATION_BATCH]
        members = Membership.objects.filter(organisation=organisation, is_active=True)
        if members.alias(lower_email=Lower("user__email")).filter(lower_email__in=batch).exists():
            raise ValidationError({"email": "This person is already a member of the organisation."})
        Invitation.objects.alias(lower_email=Lower("email")).filter(
            organisation=organisation,
            lower_email__in=batch,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=timezone.now())
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(organisation=organisation, email=email, role=role, invited_by=invited_by)
            for email, role in people
        ],
        batch_size=INVITATION_BATCH,
    )
    inviter = Membership.objects.filter(organisation=organisation, user=invited_by).first()
    # The address's domain only: the log keeps no personal data that erasure could not reach.
    if len(people) == 1:
        [(email, role)] = people
        after = {"role": Role(role).label, "email domain": email.rpartition("@")[2]}
        announce(inviter, "invited someone", after=after)
    elif people:
        roles = Counter(Role(role).label for _, role in people)
        announce(inviter, "invited people", after={"people": len(people), **roles})
    from .tasks import send_invitation_email_task

    for invitation in invitations:
        queue_after_commit(
            send_invitation_email_task,
            organisation_id=organisation.pk,
            invitation_id=str(invitation.pk),
        )
    return invitations


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: Membership | None = None) -> Invitation:
    invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    if invitation.state != Invitation.State.PENDING:
        raise ValidationError("Only a pending invitation can be revoked.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    announce(
        by,
        "withdrew an invitation",
        before={"role": invitation.get_role_display()},
        after={"email domain": invitation.email.rpartition("@")[2]},
    )
    return invitation


def invitation_check(invitation: Invitation | None) -> Invitation:
    """Raise InvitationError unless the invitation can still be used."""
    if invitation is None:
        raise InvitationError(
            "This invitation link is not valid. Check that you copied the whole link, "
            "or ask your organisation's administrator for a new invitation."
        )
    state = invitation.state
    if state == Invitation.State.ACCEPTED:
        raise InvitationError(
            "This invitation has already been used. Each link works once: sign in instead, "
            "or ask for a new invitation."
        )
    if state == Invitation.State.REVOKED:
        raise InvitationError(
            "This invitation was withdrawn. Ask your organisation's administrator for a new one."
        )
    if state == Invitation.State.EXPIRED:
        raise InvitationError(
            "This invitation has expired. Ask your organisation's administrator for a new one."
        )
    return invitation


def invitation_check_recipient(invitation: Invitation, *, user) -> None:
    """Raise InvitationError unless this person holds the verified address it was sent to."""
    if invitation.email.lower() != user.email.lower() or not _email_verified(user):
        raise InvitationError(
            f"This invitation was sent to {invitation.email}. "
            "Sign out and sign in (or create an account) with that address."
        )


TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def invitation_by_token(token: str) -> Invitation | None:
    # Anything that cannot be a token (too long, NUL bytes, ...) never reaches the database.
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    # The token alone identifies the organisation, so look across all of them.
    with cross_organisation():
        return Invitation.objects.select_related("organisation").filter(token=token).first()


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    """Use an invitation once: the person joins (or rejoins) with the role the inviter set.

    The row is locked so that two clicks on the same link cannot both succeed.
    """
    if invitation_by_token(token) is None:
        invitation_check(None)
    with cross_organisation():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .filter(token=token)
            .first()
        )
        invitation_check(invitation)
        invitation_check_recipient(invitation, user=user)
        membership, created = Membership.objects.get_or_create(
            organisation=invitation.organisation,
            user=user,
            defaults={"role": invitation.role},
        )
        if not created:
            membership.role = invitation.role
            membership.is_active = True
            membership.save(update_fields=["role", "is_active"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


CONCERN_SETTINGS = (
    "speak_up_guardian_name",
    "speak_up_guardian_contact",
    "incident_reporting_url",
    "urgent_response_target_days",
)


@transaction.atomic
def organisation_set_concern_settings(
    *, organisation: Organisation, by: Membership | None = None, **settings
) -> Organisation:
    """An organisation admin (`by`) sets who members raising a concern are told to contact,
    and the response target for urgent concerns (never longer than the usual one)."""
    unknown = set(settings) - set(CONCERN_SETTINGS)
    if unknown:
        raise ValueError(f"not a concern setting: {', '.join(sorted(unknown))}")
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = {name: getattr(organisation, name) for name in settings}
    for name, value in settings.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save(update_fields=list(settings))
    changed = [name for name in settings if before[name] != settings[name]]
    if changed:
        announce(
            by,
            "changed concern settings",
            before={name.replace("_", " "): before[name] for name in changed},
            after={name.replace("_", " "): settings[name] for name in changed},
        )
    return organisation
