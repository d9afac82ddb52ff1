"""Erasing a leaver's personal data (UK GDPR, article 17), by their organisation's admin.

What goes: their name and email (replaced by "Former member" and an address at the
reserved `.invalid` domain that reaches nobody), their password (unusable), two-factor
authenticators, email addresses, signed-in sessions, API tokens, social accounts,
notifications, and invitations sent to their address. What stays: what they
contributed (ideas, comments, supports), shown as a former member's, because colleagues
built on it. Their anonymity is severed: their anonymous ideas and pulse check-ins get
random tokens that nobody's key derives, so that no one, not even whoever holds
ANONYMITY_KEY, can match them to the person again.

A person who is also a member of another organisation is not erased (that
organisation still knows them): their membership here is removed, and their anonymous
rows here are severed in the same way.
"""

import uuid

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction

from api.models import PersonalAccessToken
from audit import services as audit
from ideas.anonymity import addressed_to, shared_by, unlinked_token
from ideas.models import Idea, Notification, PulseCheckIn
from improvewell.rls import cross_organisation
from organisations.models import Invitation, Membership

from .selectors import own_pulse_check_ins

ERASED_NAME = "Former member"
ERASED = "erased"
REMOVED = "removed"


def erased_email() -> str:
    """A unique address that can never be delivered to (RFC 2606 reserves `.invalid`)."""
    return f"erased-{uuid.uuid4()}@invalid"


def is_erased(user) -> bool:
    return not user.is_active and user.email.endswith("@invalid")


def _sever_anonymity(member: Membership) -> None:
    """Give the member's anonymous rows here tokens that nobody's key derives, and drop
    their notifications: afterwards their own token matches nothing, and "My ideas" of
    nobody lists those ideas.

    Their anonymous ideas share one new token, as they shared the old one, so that the
    dashboards still count one contributor when a day is rolled up again. Each check-in
    gets its own, as each day had its own.
    """
    Idea.objects.filter(organisation=member.organisation, is_anonymous=True).filter(
        shared_by(member)
    ).update(submitter_token=unlinked_token())
    Notification.objects.filter(organisation=member.organisation).filter(
        addressed_to(member)
    ).delete()
    for check_in in own_pulse_check_ins(member):
        PulseCheckIn.objects.filter(pk=check_in.pk).update(day_token=unlinked_token())


def _check_erasable(membership: Membership, *, by: Membership) -> None:
    if membership.organisation_id != by.organisation_id:
        raise ValidationError("This person is not a member of your organisation.")
    if membership.user_id == by.user_id:
        raise ValidationError("You cannot erase your own personal data.")
    if membership.is_active:
        raise ValidationError("Deactivate this member first: only a leaver's data is erased.")
    if is_erased(membership.user):
        raise ValidationError("This person's personal data has already been erased.")
    if membership.user.is_staff or membership.user.is_superuser:
        raise ValidationError("This person is a platform admin: ask ImproveWell support.")


def _erase_user(user) -> None:
    old_email = user.email
    # Their sessions end: the rows hold their devices' addresses and browsers.
    for session in UserSession.objects.filter(user=user):
        session.end()
    Authenticator.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    if apps.is_installed("allauth.socialaccount"):
        apps.get_model("socialaccount", "SocialAccount").objects.filter(user=user).delete()
    with cross_organisation():
        PersonalAccessToken.objects.filter(user=user).delete()
        # Invitations record the address they were sent to, in any organisation.
        Invitation.objects.filter(email__iexact=old_email).update(email=erased_email())
    user.name = ERASED_NAME
    user.email = erased_email()
    user.email_notifications = False
    user.is_active = False
    user.set_unusable_password()
    user.save(update_fields=["name", "email", "email_notifications", "is_active", "password"])


@transaction.atomic
def member_erase(*, membership: Membership, by: Membership) -> str:
    """Erase a deactivated member's personal data (`ERASED`), or, if they belong to
    another organisation too, remove them from this one (`REMOVED`).

    Locks the membership so two admins cannot erase at once. The audit row names the
    membership id and nothing about the person.
    """
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "organisation")
        .get(pk=membership.pk, organisation_id=by.organisation_id)
    )
    _check_erasable(membership, by=by)
    user = membership.user
    with cross_organisation():
        elsewhere = Membership.objects.filter(user=user).exclude(pk=membership.pk).exists()
    _sever_anonymity(membership)
    PersonalAccessToken.objects.filter(organisation=membership.organisation, user=user).delete()
    if elsewhere:
        audit.record(by, "removed a former member", after={"member": membership.pk})
        membership.delete()
        return REMOVED
    _erase_user(user)
    audit.record(by, "erased a former member's personal data", after={"member": membership.pk})
    return ERASED
