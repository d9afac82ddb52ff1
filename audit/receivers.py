"""What the audit log hears from the apps below it, which cannot import it: admin actions
and onboarding announced by organisations, sign-ins (allauth) and the platform admin's
changes in /admin/ (connected in apps.py)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from improvewell.rls import cross_organisation
from organisations.models import Membership, Organisation

from .models import AuditEvent, Kind
from .services import record, record_for


def admin_action(sender, *, member, action, before=None, after=None, **entry):
    record(
        member,
        action,
        before=before,
        after=after,
        kind=entry.get("kind"),
        subject=entry.get("subject", ""),
        target_user=entry.get("target_user"),
    )


def organisation_onboarded(sender, organisation, invitation, by, **kwargs):
    """A platform admin added an organisation. They are no member of it; the invitation
    is named by id, not address."""
    record_for(
        organisation=organisation,
        actor=by,
        action="added the organisation with a first admin",
        kind=Kind.PLATFORM,
        after={"slug": organisation.slug, "invitation": str(invitation.pk)},
    )


def signed_in(sender, *, user, **_):
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


def platform_changed(sender, *, user, obj, action, changes, **_):
    """A platform admin's change, in the log of the organisation it belongs to.

    A person is named by reference (`target_user`); their own fields (name, access) and
    any email address appear as "changed" without values: the log cannot be edited, so
    it keeps no personal data that erasing a leaver would have to remove.
    """
    # An organisation added by onboarding is recorded there, with its invitation (above).
    onboarded = isinstance(obj, Organisation) and AuditEvent.objects.filter(organisation=obj)
    if action == "added" and onboarded and onboarded.exists():
        return
    person = obj if isinstance(obj, get_user_model()) else None
    target_user = person.pk if person else getattr(obj, "user_id", None)
    noun = obj._meta.verbose_name
    # A person's row or one that holds an address (an invitation) is named by its kind only.
    named_for_a_person = target_user or hasattr(obj, "email")
    subject = noun if named_for_a_person else f"{noun}: {obj}"
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
