"""The writes of a staff import, in batches: a few statements per thousand people.

Called only by organisations.staff_import.staff_import_apply, inside its transaction.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from . import services
from .models import Membership

BATCH = 1000


def _create(organisation, creates, progress, done) -> int:
    """Accounts for new addresses (no usable password), their email rows, and memberships."""
    User = get_user_model()
    for start in range(0, len(creates), BATCH):
        batch = creates[start : start + BATCH]
        new_users = User.objects.bulk_create(
            [
                User(email=email, name=name, password=make_password(None))
                for email, name, user_id, *_ in batch
                if user_id is None
            ]
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, primary=True, verified=False) for u in new_users]
        )
        ids = {u.email: u.pk for u in new_users}
        Membership.objects.bulk_create(
            [
                Membership(
                    organisation=organisation,
                    user_id=user_id or ids[email],
                    role=role,
                    profession=group,
                    home_ward_id=ward_id,
                )
                for email, name, user_id, role, group, ward_id in batch
            ]
        )
        done += len(batch)
        progress(done)
    return done


def _update(organisation, updates, names, progress, done) -> int:
    User = get_user_model()
    for start in range(0, len(updates), BATCH):
        batch = updates[start : start + BATCH]
        Membership.objects.bulk_update(
            [
                Membership(
                    pk=pk,
                    organisation=organisation,
                    role=role,
                    profession=group,
                    home_ward_id=ward_id,
                )
                for pk, role, group, ward_id in batch
            ],
            ["role", "profession", "home_ward"],
        )
        done += len(batch)
        progress(done)
    User.objects.bulk_update(
        [User(pk=pk, name=name) for pk, name in names], ["name"], batch_size=BATCH
    )
    return done


def write_plan(organisation, plan, *, invited_by, progress) -> None:
    done = _create(organisation, plan.creates, progress, plan.counts["unchanged"])
    done = _update(organisation, plan.updates, plan.names, progress, done)
    if plan.invites:
        services.invitations_create(
            organisation=organisation, people=plan.invites, invited_by=invited_by
        )
        progress(done + len(plan.invites))
