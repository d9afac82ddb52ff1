"""Entries written for what happens outside any service of ours: admin actions announced
by the organisations app, sign-ins (allauth) and the platform admin's changes in /admin/.
Connected in AuditConfig.ready."""

from allauth.account.signals import user_logged_in
from django.contrib.auth import get_user_model
from django.db import transaction
from django.dispatch import receiver

from improvewell.admin import platform_change
from improvewell.rls import cross_organisation
from organisations.models import Membership, Organisation
from organisations.signals import admin_action

from .models import Kind
from .services import record, record_for


@receiver(admin_action, dispatch_uid="audit_admin_action")
def admin_action_recorded(
    sender, *, member, action, kind, before, after, subject, target_user, **_
):
    record(
        member,
        action,
        kind=kind,
        before=before,
        after=after,
        subject=subject,
        target_user=target_user,
    )


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def sign_in_recorded(sender, *, user, **_):
    """One entry in each organisation the person is an active member of.

    A person of no organisation (a platform admin) gets none: no organisation's admins
    could read it. Their changes are recorded where they make them (below).
    """
    # Signing in happens before any organisation is known.
    with transaction.atomic(), cross_organisation():
        organisation_ids = Membership.objects.filter(user=user, is_active=True).values_list(
            "organisation_id", flat=True
        )
        for organisation_id in list(organisation_ids):
            record_for(
                organisation=organisation_id, actor=user, action="signed in", kind=Kind.SIGN_IN
            )


def _organisations_of(obj) -> list[int]:
    if isinstance(obj, Organisation):
        return [obj.pk]
    if getattr(obj, "organisation_id", None) is not None:
        return [obj.organisation_id]
    if isinstance(obj, get_user_model()):
        return list(Membership.objects.filter(user=obj).values_list("organisation_id", flat=True))
    return []


@receiver(platform_change, dispatch_uid="audit_platform_change")
def platform_change_recorded(sender, *, user, obj, action, changes, **_):
    """A platform admin's change, in the log of the organisation it belongs to.

    A person is named by reference (`target_user`); their own fields (name, access) and
    any email address appear as "changed" without values: the log cannot be edited, so
    it keeps no personal data that erasing a leaver would have to remove.
    """
    person = obj if isinstance(obj, get_user_model()) else None
    target_user = person.pk if person else getattr(obj, "user_id", None)
    noun = obj._meta.verbose_name
    subject = noun if target_user else f"{noun}: {obj}"
    before, after = {}, {}
    for label, (old, new) in changes.items():
        personal = person is not None or "email" in label.lower()
        before[label], after[label] = ("", "changed") if personal else (old, new)
    if action in ("added", "changed", "deleted"):
        action = f"{action} {noun}"
    else:  # an admin action: "Action: Send a password reset email"
        action = action.removeprefix("Action: ")
    # The admin's request already works across organisations (OrganisationMiddleware).
    with cross_organisation():
        for organisation_id in _organisations_of(obj):
            record_for(
                organisation=organisation_id,
                actor=user,
                action=action[:60],
                kind=Kind.PLATFORM,
                subject=subject,
                before=before,
                after=after,
                target_user=target_user,
            )
