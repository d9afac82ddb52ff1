"""What the audit trail writes when organisations announce an admin's change
(connected in apps.py): organisations sit below audit and cannot call it."""

from . import services


def admin_action(sender, *, member, action, before=None, after=None, **kwargs):
    services.record(member, action, before=before, after=after)
