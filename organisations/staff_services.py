"""Changing many members at once: a new role, deactivation (leavers) and reactivation.

One home for the rules the staff list's bulk change, the single-member pages and the
confirmation page all follow:
- `members_plan` says what an action would change, and is what the confirmation page
  lists; `members_change` applies the same plan under row locks, all or nothing;
- the organisation keeps at least one active admin, and nobody deactivates themselves;
- every member changed gets one audit entry with the values before and after;
- a leaver's sessions end at once (allauth.usersessions' records, deleted from
  whichever session engine is configured) and their API tokens for this organisation
  are revoked (the api app hears `members_deactivated`). What they shared stays,
  shown as "former member" (ideas.anonymity).
"""

from dataclasses import dataclass

from allauth.usersessions.adapter import get_adapter as get_usersessions_adapter
from allauth.usersessions.models import UserSession
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q

from .models import Membership, Role
from .selectors import active_admins
from .signals import admin_action, announce, members_deactivated

# A page holds 50; more than this in one request is not a person ticking boxes.
MAX_MEMBERS_AT_ONCE = 500

DEACTIVATE = "deactivate"
REACTIVATE = "reactivate"
ROLE_PREFIX = "role:"
ACTIONS = {
    **{f"{ROLE_PREFIX}{role}": f"Change role to {label}" for role, label in Role.choices},
    DEACTIVATE: "Deactivate them",
    REACTIVATE: "Reactivate them",
}
ONLY_ADMIN = "This is the organisation's only active admin. Make someone else an admin first."
NOT_YOURSELF = "You cannot deactivate yourself."


@dataclass(frozen=True)
class Change:
    """One member's change: `before` and `after` hold only what changes."""

    membership: Membership
    before: dict
    after: dict

    @property
    def is_deactivation(self) -> bool:
        return self.after.get("is_active") is False

    @staticmethod
    def _words(values: dict) -> str:
        if "role" in values:
            return Role(values["role"]).label
        return "Active" if values["is_active"] else "Deactivated"

    @property
    def before_text(self) -> str:
        return self._words(self.before)

    @property
    def after_text(self) -> str:
        return self._words(self.after)

    @property
    def audit_action(self) -> str:
        if "is_active" in self.after:
            return "reactivated member" if self.after["is_active"] else "deactivated member"
        return "changed role"

    @staticmethod
    def audit_values(values: dict) -> dict:
        """As the audit log words a single edit's (organisations.services)."""
        if "role" in values:
            return {"role": Role(values["role"]).label}
        return {"status": "active" if values["is_active"] else "deactivated"}


def _target(membership: Membership, action: str) -> dict:
    if action == DEACTIVATE:
        return {"is_active": False}
    if action == REACTIVATE:
        return {"is_active": True}
    role = action.removeprefix(ROLE_PREFIX)
    if not action.startswith(ROLE_PREFIX) or role not in Role.values:
        raise ValidationError({"action": "Choose what to change."})
    return {"role": role}


def members_plan(memberships, *, action: str) -> list[Change]:
    """What `action` would change for each member; those it would leave as they are are left out."""
    changes = []
    for membership in memberships:
        after = {
            field: value
            for field, value in _target(membership, action).items()
            if getattr(membership, field) != value
        }
        if after:
            before = {field: getattr(membership, field) for field in after}
            changes.append(Change(membership, before, after))
    return changes


def _is_active_admin(values: dict) -> bool:
    return values["role"] == Role.ORG_ADMIN and values["is_active"] and values["user_active"]


def members_check(changes: list[Change], *, admins: list[Membership], by_user_id: int) -> None:
    """Refuse the whole change if it deactivates the person making it or leaves no active admin.

    `admins` are the organisation's active admins now (locked by `members_change`).
    """
    if any(
        c.after.get("is_active") is False and c.membership.user_id == by_user_id for c in changes
    ):
        raise ValidationError(NOT_YOURSELF)
    remaining = {admin.pk for admin in admins}
    for change in changes:
        member = change.membership
        values = {
            "role": member.role,
            "is_active": member.is_active,
            "user_active": member.user.is_active,
            **change.after,
        }
        if _is_active_admin(values):
            remaining.add(member.pk)
        else:
            remaining.discard(member.pk)
    if not remaining:
        raise ValidationError(ONLY_ADMIN)


def members_for_change(organisation, membership_ids) -> list[Membership]:
    """The chosen members of this organisation, in the staff list's order (ids of another
    organisation are simply not found)."""
    ids = list(membership_ids)[:MAX_MEMBERS_AT_ONCE]
    return list(
        Membership.objects.filter(organisation=organisation, pk__in=ids)
        .select_related("user", "home_ward")
        .order_by("user__name", "user__email")
    )


@transaction.atomic
def members_change(*, by: Membership, membership_ids, action: str) -> list[Change]:
    """Apply `action` to the chosen members of `by`'s organisation, all or nothing.

    Locking: the chosen rows and the organisation's active admins are locked together
    (in id order, so two admins changing overlapping sets wait rather than deadlock),
    so that two admins demoting each other at once cannot leave the trust without one.
    """
    organisation_id = by.organisation_id
    ids = list(membership_ids)[:MAX_MEMBERS_AT_ONCE]
    locked = list(
        Membership.objects.select_for_update(of=("self",))
        .filter(organisation_id=organisation_id)
        .filter(Q(pk__in=ids) | Q(pk__in=active_admins(organisation_id).values("pk")))
        .select_related("user")
        .order_by("pk")
    )
    wanted = set(ids)
    chosen = [m for m in locked if m.pk in wanted]
    admins = [m for m in locked if m.role == Role.ORG_ADMIN and m.is_active and m.user.is_active]
    changes = members_plan(chosen, action=action)
    members_check(changes, admins=admins, by_user_id=by.user_id)
    for change in changes:
        for field, value in change.after.items():
            setattr(change.membership, field, value)
        change.membership.save(update_fields=list(change.after))
        announce(  # the member by reference: an erased leaver's rows keep no address
            by,
            change.audit_action,
            kind="role",
            before=change.audit_values(change.before),
            after=change.audit_values(change.after),
            target_user=change.membership.user_id,
        )
    leavers = [c.membership for c in changes if c.is_deactivation]
    if leavers:
        members_end_sessions(user_ids=[m.user_id for m in leavers])
        members_deactivated.send(sender=Membership, memberships=leavers)
    return changes


def members_end_sessions(*, user_ids: list[int]) -> int:
    """End every signed-in session of these people, on every device, now.

    Raising their session epoch changes the hash every session of theirs carries, so the
    next request of any of them, however it was made, is signed out (accounts.models).
    allauth's records of their sign-ins (UserSession) are ended too, deleting those
    sessions from the session engine in use. Returns how many records were ended.
    """
    get_user_model().objects.filter(pk__in=user_ids).update(session_epoch=F("session_epoch") + 1)
    sessions = list(UserSession.objects.filter(user_id__in=user_ids))
    get_usersessions_adapter().end_sessions(sessions)
    return len(sessions)


@transaction.atomic
def staff_list_exported(*, by: Membership, filters: dict) -> None:
    """An admin downloaded the staff list: the audit trail says who and with what filters."""
    admin_action.send(
        sender=Membership,
        member=by,
        action="exported staff list",
        after={name: str(value) for name, value in filters.items() if value},
    )
