"""What organisation admins do here, announced for the audit log.

The audit app sits above this one (tests/architecture/test_layers.py), so the
services below cannot call `audit.services.record` themselves: they send
`admin_action` inside their transaction and audit/receivers.py writes the entry in
that same transaction (a change and its entry commit or roll back together).
"""

from django.dispatch import Signal

# Sent with: member (the acting Membership), action, kind ("admin" or "role"),
# before, after (dicts), subject (text), target_user (a user or None).
admin_action = Signal()


def announce(member, action: str, *, kind: str = "admin", before=None, after=None, **extra):
    """Tell the audit log what `member` did; nothing is sent without an acting member."""
    if member is None:
        return
    admin_action.send(
        sender=type(member),
        member=member,
        action=action,
        kind=kind,
        before=before or {},
        after=after or {},
        subject=extra.get("subject", ""),
        target_user=extra.get("target_user"),
    )
