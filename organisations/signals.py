"""What organisations tell the capabilities above them, without importing them.

Sent from organisations' services inside their transactions, so that a receiver's rows
are written with the change or not at all (tests/architecture/test_layers.py: the apps
above import organisations, never the other way round).
"""

from django.dispatch import Signal

# Two wards become one: `kept=`, `merged=`. Sent before `merged` is archived; every app
# whose rows name a ward moves them to `kept` (ideas, teams, projects) or recomputes
# them (dashboards). tests/organisations/test_manage_merge.py fails for a model that
# points at a ward and is left behind.
ward_merging = Signal()
# A ward moved to another site: `ward=`, `from_site=`. Figures by site change with it.
ward_moved = Signal()
# An organisation admin changed something: `member=`, `action=`, `before=`, `after=`,
# and optionally `kind=` ("admin" or "role"), `subject=` (text) and `target_user=` (the
# person it was about). The audit log writes it down (audit/apps.py).
admin_action = Signal()
# Members deactivated: `memberships=[...]`, sent inside the transaction that
# deactivated them; the api app revokes their tokens for the organisation in it too.
members_deactivated = Signal()


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
