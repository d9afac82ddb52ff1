"""What the audit trail hears from the apps below it, which cannot import it
(connected in apps.py)."""

from organisations.models import Membership

from . import services


def organisation_onboarded(sender, organisation, invitation, by, **kwargs):
    """A platform admin added an organisation. They are no member of it: the row names
    them as the actor of an unsaved membership, and the invitation by id, not address."""
    services.record(
        Membership(organisation=organisation, user=by),
        "added the organisation with a first admin",
        after={"slug": organisation.slug, "invitation": str(invitation.pk)},
    )


def admin_action(sender, *, member, action, before=None, after=None, **kwargs):
    services.record(member, action, before=before, after=after)
